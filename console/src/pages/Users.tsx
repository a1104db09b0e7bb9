import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, call, currentUser, fieldErrors, formatTime, message } from '../api';
import { Alert, Dialog, Field, Scroll, useId } from '../ui';

export interface User {
  id: string; email: string; pendingEmail: string | null; firstName: string; lastName: string; role: string; rootAdmin: boolean; status: string;
  lockedUntil: string | null; twoFactorEnrolled: boolean; groups: string[]; lastLoginAt: string | null; version: number;
}

export const ROLES: [string, string][] = [
  ['ADMIN', 'Admin'], ['BILLING_AND_PURCHASING', 'Billing and Purchasing'], ['USER', 'User'], ['CO_MANAGED_USER', 'Co-Managed User'],
];
const STATUSES: [string, string][] = [['INVITED', 'Invited'], ['ACTIVE', 'Active'], ['DEACTIVATED', 'Deactivated'], ['LOCKED_OUT', 'Locked out']];
const roleName = (r: string) => ROLES.find(x => x[0] === r)?.[1] ?? r;

function badge(u: User): string {
  if (u.status === 'LOCKED_OUT') return 'Locked until ' + formatTime(u.lockedUntil);
  return STATUSES.find(s => s[0] === u.status)?.[1] ?? u.status;
}

type Action = 'Edit' | 'Deactivate' | 'Activate' | 'Unlock' | 'Reset password' | 'Reset 2FA' | 'Resend invitation' | 'Delete';

/** The items the API would accept for this user, in this status, from this admin. */
function actionsFor(u: User, selfId: string): Action[] {
  const self = u.id === selfId;
  const out: Action[] = ['Edit'];
  if (u.status === 'DEACTIVATED') out.push('Activate');
  if (u.status === 'LOCKED_OUT') out.push('Unlock');
  if (u.status === 'INVITED') out.push('Resend invitation');
  if (u.status === 'ACTIVE' || u.status === 'LOCKED_OUT') out.push('Reset password');
  if (u.twoFactorEnrolled && u.status !== 'DEACTIVATED') out.push('Reset 2FA');
  if (!u.rootAdmin && !self && u.status !== 'DEACTIVATED') out.push('Deactivate');
  if (!u.rootAdmin && !self) out.push('Delete');
  return out;
}

const ENDPOINT: Record<string, [string, string]> = {
  Deactivate: ['POST', 'deactivate'], Activate: ['POST', 'activate'], Unlock: ['POST', 'unlock'],
  'Reset password': ['POST', 'reset-password'], 'Reset 2FA': ['POST', 'reset-2fa'],
  'Resend invitation': ['POST', 'resend-invitation'], Delete: ['DELETE', ''],
};
const CONFIRM = new Set<Action>(['Deactivate', 'Activate', 'Reset password', 'Reset 2FA', 'Delete']);

function RowMenu(props: { user: User; onPick: (a: Action) => void }) {
  const [open, setOpen] = useState(false);
  const menuId = useId('menu');
  const box = useRef<HTMLDivElement>(null);
  const items = actionsFor(props.user, currentUser()!.id);
  // An open menu closes on Escape and on a click anywhere else.
  useEffect(() => {
    if (!open) return;
    const key = (e: KeyboardEvent) => { if (e.key === 'Escape') setOpen(false); };
    const click = (e: MouseEvent) => { if (!box.current?.contains(e.target as Node)) setOpen(false); };
    document.addEventListener('keydown', key);
    document.addEventListener('mousedown', click);
    return () => { document.removeEventListener('keydown', key); document.removeEventListener('mousedown', click); };
  }, [open]);
  return (
    <div class="menu" ref={box}>
      <button type="button" aria-haspopup="menu" aria-expanded={open} aria-controls={menuId}
        onClick={() => setOpen(!open)}>Actions<span class="sr-only"> for {props.user.email}</span></button>
      {open && (
        <ul role="menu" id={menuId} aria-label={'Actions for ' + props.user.email}>
          {items.map(a => (
            <li role="none"><button type="button" role="menuitem" onClick={() => { setOpen(false); props.onPick(a); }}>{a}</button></li>
          ))}
        </ul>
      )}
    </div>
  );
}

const groupsOf = (text: string) => text.split(',').map(g => g.trim()).filter(Boolean);

function UserForm(props: { user?: User; onDone: () => void; onClose: () => void }) {
  const u = props.user;
  const [email, setEmail] = useState(u?.email ?? '');
  const [firstName, setFirst] = useState(u?.firstName ?? '');
  const [lastName, setLast] = useState(u?.lastName ?? '');
  const [role, setRole] = useState(u?.role ?? 'USER');
  const [groups, setGroups] = useState((u?.groups ?? []).join(', '));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState('');
  const roleId = useId('role');
  async function submit(e: Event) {
    e.preventDefault();
    setErrors({}); setError('');
    const body: any = { email, firstName, lastName, groups: groupsOf(groups) };
    if (!u?.rootAdmin) body.role = role;
    try {
      if (u && email.trim().toLowerCase() === u.email) delete body.email;
      if (u) await call('PATCH', '/api/v1/users/' + u.id, body);
      else await call('POST', '/api/v1/users', body);
      props.onDone();
    } catch (err) { setErrors(fieldErrors(err)); setError(message(err)); }
  }
  return (
    <Dialog title={u ? 'Edit ' + u.email : 'Add user'} onClose={props.onClose}>
      <form onSubmit={submit} noValidate>
        {error && <Alert>{error}</Alert>}
        <Field label="Email" type="email" value={email} onInput={setEmail} error={errors.email} required />
        {u?.pendingEmail && <p class="hint">Pending change to {u.pendingEmail}: it applies once that address confirms it.</p>}
        <Field label="First name" value={firstName} onInput={setFirst} error={errors.firstName} required />
        <Field label="Last name" value={lastName} onInput={setLast} error={errors.lastName} required />
        <div class="field">
          <label for={roleId}>Role</label>
          <select id={roleId} value={role} disabled={u?.rootAdmin} onChange={e => setRole((e.currentTarget as HTMLSelectElement).value)}>
            {ROLES.map(([v, t]) => <option value={v}>{t}</option>)}
          </select>
          {u?.rootAdmin && <p class="hint">The Root Admin is always an Admin.</p>}
          {errors.role && <p class="error">{errors.role}</p>}
        </div>
        <Field label="Groups" value={groups} onInput={setGroups} error={errors.groups} describedBy={roleId + '-groups'} />
        <p class="hint" id={roleId + '-groups'}>Separate groups with commas.</p>
        <div class="buttons">
          <button type="submit">{u ? 'Save' : 'Send invitation'}</button>
          <button type="button" class="secondary" onClick={props.onClose}>Cancel</button>
        </div>
      </form>
    </Dialog>
  );
}

function ConfirmAction(props: { user: User; action: Action; onDone: () => void; onClose: () => void }) {
  const [typed, setTyped] = useState('');
  const [error, setError] = useState('');
  const del = props.action === 'Delete';
  async function run() {
    setError('');
    try { await perform(props.user, props.action); props.onDone(); } catch (err) { setError(message(err)); }
  }
  return (
    <Dialog title={`${props.action}: ${props.user.email}`} onClose={props.onClose}>
      <p>{explain(props.action)}</p>
      {del && <Field label="Type the user's email to confirm" value={typed} onInput={setTyped} />}
      {error && <Alert>{error}</Alert>}
      <div class="buttons">
        <button type="button" disabled={del && typed.trim().toLowerCase() !== props.user.email} onClick={run}>Confirm</button>
        <button type="button" class="secondary" onClick={props.onClose}>Cancel</button>
      </div>
    </Dialog>
  );
}

function explain(a: Action): string {
  switch (a) {
    case 'Deactivate': return 'The user can no longer sign in; every session ends now. Role, groups and settings are kept.';
    case 'Activate': return 'The user gets a mail to set a new password and must set up two-factor authentication again.';
    case 'Reset password': return 'The current password stops working, sessions end, and a reset link is mailed.';
    case 'Reset 2FA': return 'Sessions end; at the next sign-in the user sets up two-factor authentication again.';
    case 'Delete': return 'The account is deleted for good. This cannot be undone.';
    default: return '';
  }
}

async function perform(u: User, a: Action) {
  const [method, path] = ENDPOINT[a];
  await call(method, '/api/v1/users/' + u.id + (path ? '/' + path : ''));
}

interface ImportRow { line: number; email: string; result: string; errors?: { field: string; message: string }[] }
interface Report { created: number; duplicates: number; invalid: number; rows: ImportRow[] }

function ImportUsers(props: { onDone: () => void; onClose: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [dryRun, setDryRun] = useState(true);
  const [report, setReport] = useState<Report>();
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const fileId = useId('csv');
  const dryId = useId('dry');
  async function submit(e: Event) {
    e.preventDefault();
    if (!file) { setError('Choose a CSV file first.'); return; }
    setBusy(true); setError(''); setReport(undefined);
    try {
      const r = await call<Report>('POST', '/api/v1/users/import' + (dryRun ? '?dryRun=true' : ''), undefined,
        { raw: await file.text(), type: 'text/csv' });
      setReport(r);
      if (!dryRun) props.onDone();
    } catch (err) {
      setError(message(err) + (err instanceof ApiError && err.problem.errors ? ' ' + err.problem.errors.map(x => x.message).join('; ') : ''));
    } finally { setBusy(false); }
  }
  const csv = report ? 'line,email,result,errors\n' + report.rows.map(r =>
    [r.line, r.email, r.result, (r.errors ?? []).map(x => x.field + ' ' + x.message).join('; ')]
      .map(v => '"' + String(v ?? '').replace(/"/g, '""') + '"').join(',')).join('\n') + '\n' : '';
  return (
    <Dialog title="Import users" onClose={props.onClose}>
      <form onSubmit={submit} noValidate>
        <p class="hint">CSV with the header <code>email,firstName,lastName,role[,groups]</code>; groups separated by <code>;</code>.</p>
        <div class="field">
          <label for={fileId}>CSV file</label>
          <input id={fileId} type="file" accept=".csv,text/csv" onChange={e => setFile((e.currentTarget as HTMLInputElement).files?.[0] ?? null)} />
        </div>
        <div class="check">
          <input id={dryId} type="checkbox" checked={dryRun} onChange={e => setDryRun((e.currentTarget as HTMLInputElement).checked)} />
          <label for={dryId}>Dry run</label>
        </div>
        {error && <Alert>{error}</Alert>}
        <div class="buttons">
          <button type="submit" disabled={busy}>Import</button>
          <button type="button" class="secondary" onClick={props.onClose}>Close</button>
        </div>
      </form>
      {report && (
        <section aria-label="Import report">
          <p role="status">{dryRun ? 'Dry run: ' : ''}{report.created} created, {report.duplicates} duplicates, {report.invalid} invalid.</p>
          <p><a href={URL.createObjectURL(new Blob([csv], { type: 'text/csv' }))} download="import-report.csv">Download the report as CSV</a></p>
          <Scroll label="Import report rows">
            <table>
              <thead><tr><th scope="col">Line</th><th scope="col">Email</th><th scope="col">Result</th><th scope="col">Errors</th></tr></thead>
              <tbody>
                {report.rows.slice(0, 500).map(r => (
                  <tr><td>{r.line}</td><td>{r.email}</td><td>{r.result}</td>
                    <td>{(r.errors ?? []).map(x => x.field + ' ' + x.message).join('; ')}</td></tr>
                ))}
              </tbody>
            </table>
          </Scroll>
          {report.rows.length > 500 && <p class="hint">The first 500 rows are shown; the download has all {report.rows.length}.</p>}
        </section>
      )}
    </Dialog>
  );
}

const SORTS: [string, string][] = [['Name', 'lastName'], ['Email', 'email'], ['Status', 'status']];

export function Users() {
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  const [status, setStatus] = useState('');
  const [role, setRole] = useState('');
  const [sort, setSort] = useState('email');
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [page, setPage] = useState<{ items: User[]; nextCursor: string | null }>({ items: [], nextCursor: null });
  const [error, setError] = useState('');
  const [dialog, setDialog] = useState<{ kind: 'add' | 'import' | 'edit' | 'confirm'; user?: User; action?: Action }>();
  const [notice, setNotice] = useState('');
  const [version, setVersion] = useState(0);
  const searchId = useId('q');
  const statusId = useId('st');
  const roleId = useId('rl');

  useEffect(() => { const t = setTimeout(() => { setQuery(q); setCursors([null]); }, 250); return () => clearTimeout(t); }, [q]);
  const cursor = cursors[cursors.length - 1];
  useEffect(() => {
    const p = new URLSearchParams({ limit: '25', sort });
    if (query.trim()) p.set('q', query.trim());
    if (status) p.set('status', status);
    if (role) p.set('role', role);
    if (cursor) p.set('cursor', cursor);
    call('GET', '/api/v1/users?' + p).then(r => { setPage(r); setError(''); }).catch(err => setError(message(err)));
  }, [query, status, role, sort, cursor, version]);

  const refresh = (text: string) => { setDialog(undefined); setNotice(text); setVersion(v => v + 1); };
  function pick(user: User, action: Action) {
    setNotice('');
    if (action === 'Edit') setDialog({ kind: 'edit', user });
    else if (CONFIRM.has(action)) setDialog({ kind: 'confirm', user, action });
    else perform(user, action).then(() => refresh(`${action}: done for ${user.email}`)).catch(err => setNotice(message(err)));
  }
  const sortBy = (key: string) => { setSort(sort === key ? '-' + key : key); setCursors([null]); };
  const ariaSort = (key: string) => sort === key ? 'ascending' : sort === '-' + key ? 'descending' : undefined;

  return (
    <>
      <div class="toolbar">
        <div class="field"><label for={searchId}>Search users</label>
          <input id={searchId} type="search" value={q} onInput={e => setQ((e.currentTarget as HTMLInputElement).value)} /></div>
        <div class="field"><label for={statusId}>Status</label>
          <select id={statusId} value={status} onChange={e => { setStatus((e.currentTarget as HTMLSelectElement).value); setCursors([null]); }}>
            <option value="">All</option>{STATUSES.map(([v, t]) => <option value={v}>{t}</option>)}
          </select></div>
        <div class="field"><label for={roleId}>Role</label>
          <select id={roleId} value={role} onChange={e => { setRole((e.currentTarget as HTMLSelectElement).value); setCursors([null]); }}>
            <option value="">All</option>{ROLES.map(([v, t]) => <option value={v}>{t}</option>)}
          </select></div>
        <div class="buttons">
          <button type="button" onClick={() => setDialog({ kind: 'add' })}>Add user</button>
          <button type="button" class="secondary" onClick={() => setDialog({ kind: 'import' })}>Import users</button>
        </div>
      </div>
      {error && <Alert>{error}</Alert>}
      {notice && <Alert kind="info">{notice}</Alert>}
      <Scroll label="Users">
        <table>
          <caption class="sr-only">Users of your organization</caption>
          <thead>
            <tr>
              {SORTS.slice(0, 2).map(([label, key]) => (
                <th scope="col" aria-sort={ariaSort(key)}><button type="button" class="sort" onClick={() => sortBy(key)}>{label}</button></th>
              ))}
              <th scope="col">Role</th>
              <th scope="col" aria-sort={ariaSort('status')}><button type="button" class="sort" onClick={() => sortBy('status')}>Status</button></th>
              <th scope="col">2FA</th>
              <th scope="col">Last login</th>
              <th scope="col"><span class="sr-only">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {page.items.map(u => (
              <tr>
                <td>{u.firstName} {u.lastName} {u.rootAdmin && <span class="badge root">Root Admin</span>}</td>
                <td>{u.email}{u.pendingEmail && <span class="hint"> (changing to {u.pendingEmail})</span>}</td>
                <td>{roleName(u.role)}</td>
                <td><span class={'badge ' + u.status.toLowerCase()}>{badge(u)}</span></td>
                <td>{u.twoFactorEnrolled ? 'Enrolled' : 'Not enrolled'}</td>
                <td>{formatTime(u.lastLoginAt)}</td>
                <td><RowMenu user={u} onPick={a => pick(u, a)} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      </Scroll>
      {page.items.length === 0 && !error && <p>No users match.</p>}
      <nav class="pager" aria-label="Pages">
        <button type="button" class="secondary" disabled={cursors.length < 2} onClick={() => setCursors(cursors.slice(0, -1))}>Previous</button>
        <button type="button" class="secondary" disabled={!page.nextCursor} onClick={() => setCursors([...cursors, page.nextCursor])}>Next</button>
      </nav>
      {dialog?.kind === 'add' && <UserForm onClose={() => setDialog(undefined)} onDone={() => refresh('Invitation sent')} />}
      {dialog?.kind === 'edit' && <UserForm user={dialog.user} onClose={() => setDialog(undefined)} onDone={() => refresh('Saved')} />}
      {dialog?.kind === 'import' && <ImportUsers onClose={() => { setDialog(undefined); setVersion(v => v + 1); }} onDone={() => setVersion(v => v + 1)} />}
      {dialog?.kind === 'confirm' && (
        <ConfirmAction user={dialog.user!} action={dialog.action!} onClose={() => setDialog(undefined)}
          onDone={() => refresh(`${dialog.action}: done for ${dialog.user!.email}`)} />
      )}
    </>
  );
}
