import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import QRCode from 'qrcode';
import { ApiError, call, home, message, start } from './api';
import { navigate } from './router';

let ids = 0;
export function useId(prefix: string): string {
  const ref = useRef<string>();
  if (!ref.current) ref.current = `${prefix}-${++ids}`;
  return ref.current;
}

/** A labelled input with the server's message for it right below, tied by aria-describedby. */
export function Field(props: {
  label: string; value: string; onInput: (v: string) => void; type?: string; error?: string;
  autocomplete?: string; required?: boolean; disabled?: boolean; inputMode?: string; describedBy?: string;
}) {
  const id = useId('f');
  const errorId = id + '-error';
  const described = [props.error ? errorId : '', props.describedBy ?? ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <input id={id} type={props.type ?? 'text'} value={props.value} required={props.required}
        disabled={props.disabled} autocomplete={props.autocomplete} inputMode={props.inputMode as any}
        aria-invalid={props.error ? 'true' : undefined} aria-describedby={described}
        onInput={e => props.onInput((e.currentTarget as HTMLInputElement).value)} />
      {props.error && <p id={errorId} class="error">{props.error}</p>}
    </div>
  );
}

/** A labelled multi-line input, with a hint and the server's message below it. */
export function TextArea(props: { label: string; value: string; onInput: (v: string) => void; error?: string; hint?: string }) {
  const id = useId('t');
  const hintId = id + '-hint';
  const errorId = id + '-error';
  const described = [props.hint ? hintId : '', props.error ? errorId : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <textarea id={id} rows={6} value={props.value} spellcheck={false} aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={described} onInput={e => props.onInput((e.currentTarget as HTMLTextAreaElement).value)} />
      {props.hint && <p id={hintId} class="hint-below">{props.hint}</p>}
      {props.error && <p id={errorId} class="error">{props.error}</p>}
    </div>
  );
}

export function Alert(props: { children: ComponentChildren; kind?: 'error' | 'info' }) {
  return <p role={props.kind === 'info' ? 'status' : 'alert'} class={props.kind === 'info' ? 'notice' : 'alert'}>{props.children}</p>;
}

export function Page(props: { title: string; children: ComponentChildren }) {
  useEffect(() => { document.title = props.title + ' · Roster'; }, [props.title]);
  return (
    <main class="narrow">
      <p class="brand" aria-hidden="true">Roster</p>
      <h1>{props.title}</h1>
      {props.children}
    </main>
  );
}

export interface Rules {
  email: string; minLength: number; maxLength: number; requireUppercase: boolean; requireLowercase: boolean;
  requireDigit: boolean; requireSymbol: boolean;
}

/** The policy's rules, checked as the person types; the server's verdict (PASSWORD_POLICY rules) wins. */
export function checks(rules: Rules, password: string): { text: string; ok: boolean }[] {
  const local = rules.email.split('@')[0].toLowerCase();
  const list = [{ text: `At least ${rules.minLength} characters`, ok: password.length >= rules.minLength }];
  if (rules.requireUppercase) list.push({ text: 'An uppercase letter', ok: /\p{Lu}/u.test(password) });
  if (rules.requireLowercase) list.push({ text: 'A lowercase letter', ok: /\p{Ll}/u.test(password) });
  if (rules.requireDigit) list.push({ text: 'A digit', ok: /\p{Nd}/u.test(password) });
  if (rules.requireSymbol) list.push({ text: 'A symbol', ok: /[^\p{L}\p{Nd}\s]/u.test(password) });
  list.push({ text: 'Not your email address', ok: local.length < 3 || !password.toLowerCase().includes(local) });
  list.push({ text: `At most ${rules.maxLength} characters`, ok: password.length <= rules.maxLength });
  return list;
}

export function RuleList(props: { id: string; rules: Rules; password: string; serverRules?: string[] }) {
  return (
    <div id={props.id} class="rules">
      <p>Your password needs:</p>
      <ul>
        {checks(props.rules, props.password).map(c => (
          <li class={c.ok ? 'ok' : 'todo'}>{c.text}: <span>{c.ok ? 'met' : 'not yet'}</span></li>
        ))}
      </ul>
      {props.serverRules && props.serverRules.length > 0 && (
        <div role="alert" class="alert">
          <p>The server refused the password:</p>
          <ul>{props.serverRules.map(r => <li>{r}</li>)}</ul>
        </div>
      )}
    </div>
  );
}

/** Password + confirmation with live rules: the invitation and reset pages. */
export function NewPassword(props: {
  rules: Rules; button: string; labels: [string, string]; onSubmit: (password: string) => Promise<void>;
}) {
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState('');
  const [serverRules, setServerRules] = useState<string[]>();
  const [busy, setBusy] = useState(false);
  const rulesId = useId('rules');
  const mismatch = confirm.length > 0 && confirm !== password ? 'The passwords do not match' : undefined;
  async function submit(e: Event) {
    e.preventDefault();
    if (password !== confirm) { setError('The passwords do not match'); return; }
    setBusy(true); setError(''); setServerRules(undefined);
    try { await props.onSubmit(password); }
    catch (err) {
      if (err instanceof ApiError && err.problem.code === 'PASSWORD_POLICY') setServerRules(err.problem.rules ?? []);
      else setError(message(err));
    } finally { setBusy(false); }
  }
  return (
    <form onSubmit={submit} noValidate>
      <Field label={props.labels[0]} type="password" value={password} onInput={setPassword} autocomplete="new-password"
        required describedBy={rulesId} />
      <Field label={props.labels[1]} type="password" value={confirm} onInput={setConfirm} autocomplete="new-password"
        required error={mismatch} />
      <RuleList id={rulesId} rules={props.rules} password={password} serverRules={serverRules} />
      {error && <Alert>{error}</Alert>}
      <button type="submit" disabled={busy}>{props.button}</button>
    </form>
  );
}

/**
 * The second step with a code from the authenticator app (or, for someone who lost it, one of
 * their recovery codes), then into the console.
 */
export function CodeForm(props: { mfaToken: string; recovery?: boolean }) {
  const [code, setCode] = useState('');
  const [useRecovery, setUseRecovery] = useState(false);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true); setError('');
    try {
      const second = useRecovery ? { recoveryCode: code.trim() } : { code: code.trim() };
      const tokens = await call('POST', '/api/v1/auth/mfa/verify', { mfaToken: props.mfaToken, ...second });
      navigate(home(await start(tokens)));
    } catch (err) { setError(message(err)); } finally { setBusy(false); }
  }
  return (
    <form onSubmit={submit} noValidate>
      {useRecovery
        ? <Field label="Recovery code" value={code} onInput={setCode} autocomplete="off" required />
        : <Field label="Authentication code" value={code} onInput={setCode} autocomplete="one-time-code" inputMode="numeric" required />}
      {error && <Alert>{error}</Alert>}
      <button type="submit" disabled={busy}>Verify</button>
      {props.recovery && (
        <p><button type="button" class="link" onClick={() => { setUseRecovery(!useRecovery); setCode(''); setError(''); }}>
          {useRecovery ? 'Use the authenticator app instead' : 'Use a recovery code instead'}</button></p>
      )}
    </form>
  );
}

/** 2FA enrolment: a QR code made here (never by a remote service), the secret as text, then a code. */
export function Enrol(props: { mfaToken: string }) {
  const [secret, setSecret] = useState('');
  const [qr, setQr] = useState('');
  const [error, setError] = useState('');
  useEffect(() => {
    call('POST', '/api/v1/auth/mfa/enroll', { mfaToken: props.mfaToken })
      .then(async r => { setSecret(r.secret); setQr(await QRCode.toDataURL(r.otpauthUri, { margin: 1, width: 220 })); })
      .catch(err => setError(message(err)));
  }, [props.mfaToken]);
  return (
    <Page title="Set up two-factor authentication">
      <p>Scan the QR code with an authenticator app, or type the secret key into it. Then enter the code it shows.</p>
      {error && <Alert>{error}</Alert>}
      {qr && <img class="qr" src={qr} alt="QR code" width={220} height={220} />}
      {secret && (
        <dl class="secret"><dt>Secret key</dt><dd><code>{secret}</code></dd></dl>
      )}
      <CodeForm mfaToken={props.mfaToken} />
    </Page>
  );
}

/** A modal dialog (the native one: focus stays inside, Escape closes). */
export function Dialog(props: { title: string; onClose: () => void; children: ComponentChildren }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId('dlg');
  useEffect(() => {
    const d = ref.current!;
    if (!d.open) d.showModal();
    const close = () => props.onClose();
    d.addEventListener('close', close);
    return () => d.removeEventListener('close', close);
  }, []);
  return (
    <dialog ref={ref} aria-labelledby={titleId}>
      <h2 id={titleId}>{props.title}</h2>
      {props.children}
    </dialog>
  );
}

/** A horizontally scrollable region for wide tables, reachable and scrollable by keyboard. */
export function Scroll(props: { label: string; children: ComponentChildren }) {
  return <div class="scroll" role="region" aria-label={props.label} tabIndex={0}>{props.children}</div>;
}
