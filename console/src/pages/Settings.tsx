import { useEffect, useState } from 'preact/hooks';
import { ApiError, call, currentUser, fieldErrors, formatTime, message, reloadMe, signOut } from '../api';
import { navigate } from '../router';
import { Alert, Dialog, Field, Scroll, TextArea, useId } from '../ui';

function Check(props: { label: string; checked: boolean; onChange: (v: boolean) => void }) {
  const id = useId('c');
  return (
    <div class="check">
      <input id={id} type="checkbox" checked={props.checked} onChange={e => props.onChange((e.currentTarget as HTMLInputElement).checked)} />
      <label for={id}>{props.label}</label>
    </div>
  );
}

/** An on/off switch: a checkbox with the switch role, its state read out as on or off. */
function Switch(props: { label: string; checked: boolean; onChange: (v: boolean) => void }) {
  const id = useId('s');
  return (
    <div class="check">
      <input id={id} type="checkbox" role="switch" aria-checked={props.checked} checked={props.checked}
        onChange={e => props.onChange((e.currentTarget as HTMLInputElement).checked)} />
      <label for={id}>{props.label}</label>
    </div>
  );
}

interface Policy {
  minLength: number; requireUppercase: boolean; requireLowercase: boolean; requireDigit: boolean; requireSymbol: boolean;
  maxFailedAttempts: number; lockoutDuration: string; revealLockout: boolean;
  notifyOnLockout: boolean; passwordHistory: number; rejectCommonPasswords: boolean;
}

const minutesOf = (iso: string) => {
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$/.exec(iso);
  return m ? String((Number(m[1] ?? 0) * 60) + Number(m[2] ?? 0) + Number(m[3] ?? 0) / 60) : iso;
};

export function Security() {
  return (
    <>
      <PolicyForm />
      <AllowlistForm />
    </>
  );
}

function PolicyForm() {
  const [p, setP] = useState<Policy>();
  const [minLength, setMin] = useState('');
  const [history, setHistory] = useState('');
  const [attempts, setAttempts] = useState('');
  const [minutes, setMinutes] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState('');
  const [saved, setSaved] = useState('');
  const load = (policy: Policy) => {
    setP(policy); setMin(String(policy.minLength)); setAttempts(String(policy.maxFailedAttempts)); setMinutes(minutesOf(policy.lockoutDuration));
    setHistory(String(policy.passwordHistory));
  };
  useEffect(() => { call('GET', '/api/v1/organization/password-policy').then(load).catch(err => setError(message(err))); }, []);
  if (!p) return error ? <Alert>{error}</Alert> : <p>Loading…</p>;
  async function save(e: Event) {
    e.preventDefault();
    setErrors({}); setError(''); setSaved('');
    const m = Number(minutes);
    const body = {
      ...p, minLength: Number(minLength), maxFailedAttempts: Number(attempts), passwordHistory: Number(history),
      lockoutDuration: Number.isFinite(m) && m > 0 ? 'PT' + Math.round(m * 60) + 'S' : 'invalid',
    };
    try { load(await call('PUT', '/api/v1/organization/password-policy', body)); setSaved('Saved'); }
    catch (err) { setErrors(fieldErrors(err)); setError(message(err)); }
  }
  const flag = (k: keyof Policy) => (v: boolean) => setP({ ...p!, [k]: v });
  return (
    <form onSubmit={save} noValidate>
      <section aria-labelledby="pw-heading">
        <h2 id="pw-heading">Password policy</h2>
        <Field label="Minimum password length" type="number" value={minLength} onInput={setMin} error={errors.minLength} />
        <Check label="Require an uppercase letter" checked={p.requireUppercase} onChange={flag('requireUppercase')} />
        <Check label="Require a lowercase letter" checked={p.requireLowercase} onChange={flag('requireLowercase')} />
        <Check label="Require a digit" checked={p.requireDigit} onChange={flag('requireDigit')} />
        <Check label="Require a symbol" checked={p.requireSymbol} onChange={flag('requireSymbol')} />
      </section>
      <section aria-labelledby="lock-heading">
        <h2 id="lock-heading">Lockout</h2>
        <Field label="Failed attempts before lockout" type="number" value={attempts} onInput={setAttempts} error={errors.maxFailedAttempts} />
        <Field label="Lockout duration (minutes)" type="number" value={minutes} onInput={setMinutes} error={errors.lockoutDuration} />
        <Check label="Tell people that their account is locked" checked={p.revealLockout} onChange={flag('revealLockout')} />
        <Check label="Email users when their account locks" checked={p.notifyOnLockout} onChange={flag('notifyOnLockout')} />
      </section>
      <section aria-labelledby="history-heading">
        <h2 id="history-heading">Password history</h2>
        <Field label="Earlier passwords that cannot be reused (0 to 24)" type="number" value={history} onInput={setHistory}
          error={errors.passwordHistory} />
        <Check label="Refuse the 100,000 most common passwords" checked={p.rejectCommonPasswords} onChange={flag('rejectCommonPasswords')} />
      </section>
      {error && <Alert>{error}</Alert>}
      {saved && <Alert kind="info">{saved}</Alert>}
      <button type="submit">Save</button>
    </form>
  );
}

interface Allowlist { enabled: boolean; cidrs: string[] }

/**
 * The IP allowlist: one network a line. Saving a list that leaves out the admin's own address
 * asks first (the server answers SELF_LOCKOUT), since it would sign them out at once.
 */
function AllowlistForm() {
  const [loaded, setLoaded] = useState<Allowlist>();
  const [text, setText] = useState('');
  const [enabled, setEnabled] = useState(false);
  const [error, setError] = useState('');
  const [lineErrors, setLineErrors] = useState('');
  const [saved, setSaved] = useState('');
  const [confirm, setConfirm] = useState('');
  const show = (a: Allowlist) => { setLoaded(a); setText(a.cidrs.join('\n')); setEnabled(a.enabled); };
  useEffect(() => { call('GET', '/api/v1/organization/ip-allowlist').then(show).catch(err => setError(message(err))); }, []);
  if (!loaded) return error ? <Alert>{error}</Alert> : null;
  const lines = () => text.split('\n').map(l => l.trim()).filter(l => l.length > 0);
  async function save(confirmSelfLockout: boolean) {
    setError(''); setLineErrors(''); setSaved(''); setConfirm('');
    const cidrs = lines();
    try {
      show(await call('PUT', '/api/v1/organization/ip-allowlist', { enabled, cidrs, confirmSelfLockout }));
      setSaved('Allowlist saved');
    } catch (err) {
      if (err instanceof ApiError && err.problem.code === 'SELF_LOCKOUT') { setConfirm(err.problem.clientIp ?? 'unknown'); return; }
      const byField = fieldErrors(err);
      const bad = Object.keys(byField).map(k => /^cidrs\[(\d+)\]$/.exec(k)).filter(Boolean)
        .map(m => `Line ${Number(m![1]) + 1} (${cidrs[Number(m![1])]}): ${byField[m![0]]}`);
      setLineErrors(bad.join('. '));
      setError(message(err));
    }
  }
  return (
    <form onSubmit={e => { e.preventDefault(); save(false); }} noValidate>
      <section aria-labelledby="allow-heading">
        <h2 id="allow-heading">IP allowlist</h2>
        <p class="hint">While enforced, your organization's users can sign in and use Roster only from these networks.</p>
        <TextArea label="Allowed addresses" value={text} onInput={setText} error={lineErrors || undefined}
          hint="One IPv4 or IPv6 network a line, such as 203.0.113.0/24 or 2001:db8::/32." />
        <Switch label="Enforce allowlist" checked={enabled} onChange={setEnabled} />
      </section>
      {error && !lineErrors && <Alert>{error}</Alert>}
      {saved && <Alert kind="info">{saved}</Alert>}
      <button type="submit">Save allowlist</button>
      {confirm && (
        <Dialog title="Lock yourself out?" onClose={() => setConfirm('')}>
          <p>Your address, {confirm}, is not in this list. Once it is saved you will be signed out here and can only come back
            from an allowed network (or ask support to switch the allowlist off).</p>
          <div class="buttons">
            <button type="button" onClick={() => save(true)}>Save anyway</button>
            <button type="button" class="secondary" onClick={() => setConfirm('')}>Cancel</button>
          </div>
        </Dialog>
      )}
    </form>
  );
}

interface AuditEvent { id: string; at: string; actorId: string | null; action: string; targetUserId: string | null; details: any }

export function Audit() {
  const [email, setEmail] = useState('');
  const [userId, setUserId] = useState<string | null>(null);
  const [events, setEvents] = useState<AuditEvent[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState('');
  const [names, setNames] = useState<Record<string, string>>({});
  async function load(cursor: string | null, user: string | null) {
    const p = new URLSearchParams({ limit: '50' });
    if (user) p.set('userId', user);
    if (cursor) p.set('cursor', cursor);
    try {
      const r = await call('GET', '/api/v1/audit-events?' + p);
      setEvents(cursor ? [...events, ...r.items] : r.items);
      setNext(r.nextCursor);
    } catch (err) { setError(message(err)); }
  }
  useEffect(() => {
    load(null, null);
    call('GET', '/api/v1/users?limit=200').then(r => {
      const m: Record<string, string> = {};
      for (const u of r.items) m[u.id] = u.email;
      setNames(m);
    }).catch(() => { /* names are a nicety */ });
  }, []);
  async function filter(e: any) {
    e.preventDefault();
    setError('');
    if (!email.trim()) { setUserId(null); load(null, null); return; }
    try {
      const r = await call('GET', '/api/v1/users?limit=5&q=' + encodeURIComponent(email.trim()));
      const u = r.items.find((x: any) => x.email === email.trim().toLowerCase()) ?? r.items[0];
      if (!u) { setError('No user has this email.'); return; }
      setUserId(u.id); load(null, u.id);
    } catch (err) { setError(message(err)); }
  }
  const who = (id: string | null) => id === null ? 'System' : names[id] ?? id;
  return (
    <>
      <form class="toolbar" onSubmit={filter} noValidate>
        <Field label="Filter by user email" type="search" value={email} onInput={setEmail} />
        <div class="buttons"><button type="submit">Filter</button></div>
      </form>
      {error && <Alert>{error}</Alert>}
      {userId && <p>Events about {names[userId] ?? email}.</p>}
      <Scroll label="Audit events">
        <table>
          <caption class="sr-only">Audit events, newest first</caption>
          <thead><tr><th scope="col">Time</th><th scope="col">Action</th><th scope="col">Actor</th><th scope="col">User</th><th scope="col">Details</th></tr></thead>
          <tbody>
            {events.map(ev => (
              <tr><td>{formatTime(ev.at)}</td><td>{ev.action}</td><td>{who(ev.actorId)}</td>
                <td>{ev.targetUserId ? who(ev.targetUserId) : '—'}</td><td><code>{JSON.stringify(ev.details)}</code></td></tr>
            ))}
          </tbody>
        </table>
      </Scroll>
      {next && <button type="button" class="secondary" onClick={() => load(next, userId)}>Load more</button>}
    </>
  );
}

/** Recovery codes: made after the password is confirmed, shown once with a download. */
function RecoveryCodes() {
  const [left, setLeft] = useState<number>();
  const [password, setPassword] = useState('');
  const [codes, setCodes] = useState<string[]>([]);
  const [error, setError] = useState('');
  useEffect(() => { call('GET', '/api/v1/me').then(r => setLeft(r.recoveryCodesLeft)).catch(() => setLeft(undefined)); }, [codes]);
  async function generate(e: Event) {
    e.preventDefault();
    setError('');
    try {
      const r = await call('POST', '/api/v1/me/recovery-codes', { password });
      setCodes(r.codes); setPassword('');
    } catch (err) { setError(message(err)); }
  }
  const file = () => URL.createObjectURL(new Blob(['Roster recovery codes for ' + currentUser()!.email
    + '\nEach code works once, in place of the authenticator code.\n\n' + codes.join('\n') + '\n'], { type: 'text/plain' }));
  return (
    <section aria-labelledby="me-recovery">
      <h2 id="me-recovery">Recovery codes</h2>
      <p>If you lose your authenticator app, sign in with a recovery code instead. Each code works once.
        {left !== undefined && <> You have {left} unused {left === 1 ? 'code' : 'codes'}.</>}</p>
      {codes.length > 0 ? (
        <>
          <Alert kind="info">Save these codes now: they are shown only this once. New codes replace all earlier ones.</Alert>
          <ul class="codes" aria-label="Your recovery codes">{codes.map(c => <li><code>{c}</code></li>)}</ul>
          <p><a href={file()} download="roster-recovery-codes.txt">Download</a></p>
          <button type="button" class="secondary" onClick={() => setCodes([])}>Done</button>
        </>
      ) : (
        <form onSubmit={generate} noValidate>
          <Field label="Password (to make recovery codes)" type="password" value={password} onInput={setPassword}
            autocomplete="current-password" />
          {error && <Alert>{error}</Alert>}
          <button type="submit">Generate recovery codes</button>
        </form>
      )}
    </section>
  );
}

interface SessionRow { id: string; createdAt: string; lastRefreshedAt: string; expiresAt: string }

export function Account() {
  const me = currentUser()!;
  const [first, setFirst] = useState(me.firstName);
  const [last, setLast] = useState(me.lastName);
  const [nameErrors, setNameErrors] = useState<Record<string, string>>({});
  const [nameNote, setNameNote] = useState('');
  const [current, setCurrent] = useState('');
  const [next, setNextPw] = useState('');
  const [confirm, setConfirm] = useState('');
  const [pwNote, setPwNote] = useState('');
  const [pwError, setPwError] = useState('');
  const [sessions, setSessions] = useState<SessionRow[]>([]);
  useEffect(() => { call('GET', '/api/v1/me/sessions?limit=200').then(r => setSessions(r.items)).catch(() => setSessions([])); }, []);
  async function saveNames(e: Event) {
    e.preventDefault();
    setNameErrors({}); setNameNote('');
    try { await call('PATCH', '/api/v1/me', { firstName: first, lastName: last }); await reloadMe(); setNameNote('Saved'); }
    catch (err) { setNameErrors(fieldErrors(err)); setNameNote(message(err)); }
  }
  async function changePassword(e: Event) {
    e.preventDefault();
    setPwNote(''); setPwError('');
    if (next !== confirm) { setPwError('The new passwords do not match'); return; }
    try {
      await call('POST', '/api/v1/me/password', { currentPassword: current, newPassword: next });
      setCurrent(''); setNextPw(''); setConfirm(''); setPwNote('Your password is changed; your other sessions have ended.');
    } catch (err: any) {
      setPwError(message(err) + (err?.problem?.rules ? ' (' + err.problem.rules.join('; ') + ')' : ''));
    }
  }
  return (
    <>
      <section aria-labelledby="me-names">
        <h2 id="me-names">Your name</h2>
        <form onSubmit={saveNames} noValidate>
          <Field label="First name" value={first} onInput={setFirst} error={nameErrors.firstName} autocomplete="given-name" />
          <Field label="Last name" value={last} onInput={setLast} error={nameErrors.lastName} autocomplete="family-name" />
          {nameNote && <Alert kind={nameNote === 'Saved' ? 'info' : 'error'}>{nameNote}</Alert>}
          <button type="submit">Save</button>
        </form>
        <p>Email: {me.email}</p>
      </section>
      <section aria-labelledby="me-role">
        <h2 id="me-role">Role and permissions</h2>
        <p>Role: {me.role}{me.rootAdmin ? ' (Root Admin)' : ''}</p>
        <ul class="perms">{me.permissions.map(p => <li>{p}</li>)}</ul>
      </section>
      <section aria-labelledby="me-password">
        <h2 id="me-password">Change password</h2>
        <form onSubmit={changePassword} noValidate>
          <Field label="Current password" type="password" value={current} onInput={setCurrent} autocomplete="current-password" />
          <Field label="New password" type="password" value={next} onInput={setNextPw} autocomplete="new-password" />
          <Field label="Confirm new password" type="password" value={confirm} onInput={setConfirm} autocomplete="new-password" />
          {pwError && <Alert>{pwError}</Alert>}
          {pwNote && <Alert kind="info">{pwNote}</Alert>}
          <button type="submit">Change password</button>
        </form>
      </section>
      <RecoveryCodes />
      <section aria-labelledby="me-sessions">
        <h2 id="me-sessions">Active sessions</h2>
        <table>
          <thead><tr><th scope="col">Signed in</th><th scope="col">Last refreshed</th><th scope="col">Expires</th></tr></thead>
          <tbody>{sessions.map(s => <tr><td>{formatTime(s.createdAt)}</td><td>{formatTime(s.lastRefreshedAt)}</td><td>{formatTime(s.expiresAt)}</td></tr>)}</tbody>
        </table>
        <button type="button" class="secondary" onClick={async () => {
          try { await call('DELETE', '/api/v1/me/sessions'); } finally { await signOut(); navigate('/login'); }
        }}>Sign out everywhere</button>
      </section>
    </>
  );
}
