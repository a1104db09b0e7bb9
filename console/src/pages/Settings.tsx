import { useEffect, useState } from 'preact/hooks';
import { call, currentUser, fieldErrors, formatTime, message, reloadMe, signOut } from '../api';
import { navigate } from '../router';
import { Alert, Field, Scroll, useId } from '../ui';

function Check(props: { label: string; checked: boolean; onChange: (v: boolean) => void }) {
  const id = useId('c');
  return (
    <div class="check">
      <input id={id} type="checkbox" checked={props.checked} onChange={e => props.onChange((e.currentTarget as HTMLInputElement).checked)} />
      <label for={id}>{props.label}</label>
    </div>
  );
}

interface Policy {
  minLength: number; requireUppercase: boolean; requireLowercase: boolean; requireDigit: boolean; requireSymbol: boolean;
  maxFailedAttempts: number; lockoutDuration: string; revealLockout: boolean;
}

const minutesOf = (iso: string) => {
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$/.exec(iso);
  return m ? String((Number(m[1] ?? 0) * 60) + Number(m[2] ?? 0) + Number(m[3] ?? 0) / 60) : iso;
};

export function Security() {
  const [p, setP] = useState<Policy>();
  const [minLength, setMin] = useState('');
  const [attempts, setAttempts] = useState('');
  const [minutes, setMinutes] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState('');
  const [saved, setSaved] = useState('');
  const load = (policy: Policy) => {
    setP(policy); setMin(String(policy.minLength)); setAttempts(String(policy.maxFailedAttempts)); setMinutes(minutesOf(policy.lockoutDuration));
  };
  useEffect(() => { call('GET', '/api/v1/organization/password-policy').then(load).catch(err => setError(message(err))); }, []);
  if (!p) return error ? <Alert>{error}</Alert> : <p>Loading…</p>;
  async function save(e: Event) {
    e.preventDefault();
    setErrors({}); setError(''); setSaved('');
    const m = Number(minutes);
    const body = {
      ...p, minLength: Number(minLength), maxFailedAttempts: Number(attempts),
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
      </section>
      {error && <Alert>{error}</Alert>}
      {saved && <Alert kind="info">{saved}</Alert>}
      <button type="submit">Save</button>
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
