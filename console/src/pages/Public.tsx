import { useEffect, useState } from 'preact/hooks';
import { ApiError, call, message } from '../api';
import { onLink } from '../router';
import { Alert, CodeForm, Enrol, Field, NewPassword, Page, Rules } from '../ui';

/** Reads an invitation or reset link's token and asks the server whether it is still good. */
function useLink(kind: 'INVITATION' | 'RESET'): { token: string; rules?: Rules; dead: boolean } {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const [rules, setRules] = useState<Rules>();
  const [dead, setDead] = useState(false);
  useEffect(() => {
    call<Rules>('POST', '/api/v1/auth/link-policy', { token, kind }).then(setRules).catch(() => setDead(true));
  }, [token]);
  return { token, rules, dead };
}

export function Invitation() {
  const link = useLink('INVITATION');
  const [mfaToken, setMfaToken] = useState('');
  if (mfaToken) return <Enrol mfaToken={mfaToken} />;
  return (
    <Page title="Accept your invitation">
      {link.dead && <Alert>This invitation link has expired or has already been used. Ask your administrator for a new invitation.</Alert>}
      {link.rules && (
        <>
          <p>Set a password for <strong>{link.rules.email}</strong>. Then you will set up two-factor authentication.</p>
          <NewPassword rules={link.rules} button="Set password" labels={['Password', 'Confirm password']}
            onSubmit={async password => {
              const r = await call('POST', '/api/v1/invitations/accept', { token: link.token, password });
              setMfaToken(r.mfaToken);
            }} />
        </>
      )}
    </Page>
  );
}

export function ResetPassword() {
  const link = useLink('RESET');
  const [done, setDone] = useState(false);
  return (
    <Page title="Reset password">
      {link.dead && <Alert>This reset link has expired or has already been used. Ask for a new one on the sign-in page.</Alert>}
      {done && <Alert kind="info">Your password is set. <a href="/login" onClick={onLink}>Sign in</a></Alert>}
      {link.rules && !done && (
        <NewPassword rules={link.rules} button="Reset password" labels={['New password', 'Confirm password']}
          onSubmit={async password => {
            await call('POST', '/api/v1/auth/password/reset', { token: link.token, password });
            setDone(true);
          }} />
      )}
    </Page>
  );
}

/** Counts down to a moment, in whole seconds. */
function useCountdown(until: number | null): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (until === null) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [until]);
  return until === null ? 0 : Math.max(0, Math.ceil((until - now) / 1000));
}

export function Login() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [lockedUntil, setLockedUntil] = useState<number | null>(null);
  const [retryAt, setRetryAt] = useState<number | null>(null);
  const [step, setStep] = useState<{ status: string; mfaToken: string }>();
  const [busy, setBusy] = useState(false);
  const lockLeft = useCountdown(lockedUntil);
  const retryLeft = useCountdown(retryAt);
  if (step?.status === 'MFA_ENROLLMENT_REQUIRED') return <Enrol mfaToken={step.mfaToken} />;
  if (step) {
    return (
      <Page title="Sign in">
        <p>Enter the code from your authenticator app.</p>
        <CodeForm mfaToken={step.mfaToken} recovery />
      </Page>
    );
  }
  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true); setError(''); setLockedUntil(null); setRetryAt(null);
    try {
      setStep(await call('POST', '/api/v1/auth/login', { email, password }));
    } catch (err) {
      if (err instanceof ApiError && err.problem.status === 423 && err.problem.lockedUntil) {
        setLockedUntil(new Date(err.problem.lockedUntil).getTime());
      } else if (err instanceof ApiError && (err.problem.status === 503 || err.problem.status === 429)) {
        setRetryAt(Date.now() + 1000 * (err.problem.retryAfter ?? 1));
      } else {
        setError(message(err));
      }
    } finally { setBusy(false); }
  }
  return (
    <Page title="Sign in">
      <form onSubmit={submit} noValidate>
        <Field label="Email" type="email" value={email} onInput={setEmail} autocomplete="username" required />
        <Field label="Password" type="password" value={password} onInput={setPassword} autocomplete="current-password" required />
        {error && <Alert>{error}</Alert>}
        {lockedUntil !== null && (
          <Alert>Locked until {new Date(lockedUntil).toLocaleTimeString()} ({lockLeft} s left). Too many failed attempts.</Alert>
        )}
        {retryAt !== null && <Alert>The server is busy. Try again in {retryLeft} s.</Alert>}
        <button type="submit" disabled={busy}>Sign in</button>
      </form>
      <p><a href="/forgot-password" onClick={onLink}>Forgot password?</a></p>
    </Page>
  );
}

export function ForgotPassword() {
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState('');
  const [error, setError] = useState('');
  async function submit(e: Event) {
    e.preventDefault();
    setError('');
    try {
      const r = await call('POST', '/api/v1/auth/password/forgot', { email });
      setSent(r.message);
    } catch (err) { setError(message(err)); }
  }
  return (
    <Page title="Forgot password">
      <form onSubmit={submit} noValidate>
        <Field label="Email" type="email" value={email} onInput={setEmail} autocomplete="username" required />
        {error && <Alert>{error}</Alert>}
        {sent && <Alert kind="info">{sent}</Alert>}
        <button type="submit">Send reset link</button>
      </form>
      <p><a href="/login" onClick={onLink}>Back to sign in</a></p>
    </Page>
  );
}

/**
 * A page behind a mailed link whose one job is a click: the call with the link's token, then the
 * outcome, or the dead-link message when the server calls the token INVALID_TOKEN.
 */
function OneClickLink(props: {
  title: string; path: string; intro: string; button: string; done: string; dead: string;
}) {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const [state, setState] = useState<'ready' | 'done' | 'dead'>('ready');
  const [error, setError] = useState('');
  async function go() {
    setError('');
    try { await call('POST', props.path, { token }); setState('done'); }
    catch (err) {
      if (err instanceof ApiError && err.problem.code === 'INVALID_TOKEN') setState('dead'); else setError(message(err));
    }
  }
  return (
    <Page title={props.title}>
      {state === 'ready' && (
        <>
          <p>{props.intro}</p>
          {error && <Alert>{error}</Alert>}
          <button type="button" onClick={go}>{props.button}</button>
        </>
      )}
      {state === 'done' && <Alert kind="info">{props.done} <a href="/login" onClick={onLink}>Sign in</a></Alert>}
      {state === 'dead' && <Alert>{props.dead}</Alert>}
    </Page>
  );
}

/** The link in a lockout notice: one click ends the lock. */
export function Unlock() {
  return <OneClickLink title="Unlock your account" path="/api/v1/auth/unlock" button="Unlock my account"
    intro={'Your account was locked after too many failed sign-in attempts. If they were yours, unlock it now. '
      + 'If they were not, someone may be guessing your password: change it after you sign in.'}
    done="Your account is unlocked." dead="This unlock link has expired or has already been used." />;
}

/** The link mailed to a new address: one click applies it. */
export function VerifyEmail() {
  return <OneClickLink title="Verify your email address" path="/api/v1/auth/email/verify" button="Verify"
    intro="Confirm that your account should use this address from now on. You will then sign in again."
    done="Your email address is changed." dead="This link has expired or has already been used." />;
}
