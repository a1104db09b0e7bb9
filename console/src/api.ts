// The console is one more client of Roster's public API: every call here is one a script could make.
// Tokens live in memory only (never in localStorage); a reload signs the person out.

export interface FieldError { field: string; message: string }
export interface Problem {
  status: number; code: string; detail: string; errors?: FieldError[]; rules?: string[];
  lockedUntil?: string; retryAfter?: number; clientIp?: string;
}

export class ApiError extends Error {
  constructor(public problem: Problem) { super(problem.detail); }
}

export interface Me {
  id: string; email: string; firstName: string; lastName: string; role: string; rootAdmin: boolean;
  status: string; permissions: string[]; twoFactorEnrolled: boolean;
}

interface Session { accessToken: string; refreshToken: string }
let session: Session | null = null;
let me: Me | null = null;

export function signedIn(): boolean { return session !== null; }
export function currentUser(): Me | null { return me; }
export function forget() { session = null; me = null; }

export function can(permission: string): boolean {
  return me !== null && me.permissions.includes(permission);
}

async function problemOf(res: Response): Promise<Problem> {
  let body: any = {};
  try { body = await res.json(); } catch { /* no body */ }
  const retry = res.headers.get('Retry-After');
  return {
    status: res.status, code: body.code ?? 'ERROR', detail: body.detail ?? res.statusText,
    errors: body.errors, rules: body.rules, lockedUntil: body.lockedUntil, clientIp: body.clientIp,
    retryAfter: retry === null ? undefined : Number(retry),
  };
}

export async function call<T = any>(method: string, path: string, body?: unknown, init: { raw?: string; type?: string } = {}): Promise<T> {
  const send = () => {
    const headers: Record<string, string> = {};
    if (session) headers['Authorization'] = 'Bearer ' + session.accessToken;
    let payload: string | undefined;
    if (init.raw !== undefined) { payload = init.raw; headers['Content-Type'] = init.type ?? 'text/plain'; }
    else if (body !== undefined) { payload = JSON.stringify(body); headers['Content-Type'] = 'application/json'; }
    return fetch(path, { method, headers, body: payload, credentials: 'omit' });
  };
  let res = await send();
  if (res.status === 401 && session && !path.startsWith('/api/v1/auth/')) {
    if (await refresh()) res = await send();
  }
  if (!res.ok) throw new ApiError(await problemOf(res));
  if (res.status === 204) return undefined as T;
  return res.json() as Promise<T>;
}

async function refresh(): Promise<boolean> {
  if (!session) return false;
  const res = await fetch('/api/v1/auth/refresh', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ refreshToken: session.refreshToken }),
  });
  if (!res.ok) { forget(); return false; }
  const t = await res.json();
  session = { accessToken: t.accessToken, refreshToken: t.refreshToken };
  return true;
}

/** After a successful second step: keep the tokens in memory and learn who we are. */
export async function start(tokens: { accessToken: string; refreshToken: string }): Promise<Me> {
  session = { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken };
  return reloadMe();
}

export async function reloadMe(): Promise<Me> {
  me = await call<Me>('GET', '/api/v1/me');
  return me;
}

export async function signOut() {
  try { if (session) await call('POST', '/api/v1/auth/logout'); } catch { /* already gone */ }
  forget();
}

/** The landing page after sign-in: the console for those who manage users, My account for everyone else. */
export function home(m: Me): string {
  return m.permissions.includes('users.manage') ? '/console/users' : '/console/account';
}

export function fieldErrors(e: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (e instanceof ApiError) for (const f of e.problem.errors ?? []) out[f.field] = f.message;
  return out;
}

export function message(e: unknown): string {
  if (e instanceof ApiError) {
    const p = e.problem;
    if ((p.status === 503 || p.status === 429) && p.retryAfter !== undefined) return `${p.detail} Try again in ${p.retryAfter} s.`;
    return p.detail;
  }
  return 'The server could not be reached. Check your connection and try again.';
}

export function formatTime(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : '—';
}
