import AxeBuilder from '@axe-core/playwright';
import { expect, type APIRequestContext, type Page } from '@playwright/test';
import { createHmac } from 'node:crypto';
import { randomUUID } from 'node:crypto';

export const ROSTER = process.env.ROSTER_URL!;
const MAILBOX = process.env.MAILBOX_URL!;
const SHOTS = process.env.SCREENSHOTS ?? '../target/screenshots';
export const PASSWORD = 'Correct-Horse-42!';

export const unique = (who: string) => `${who}-${randomUUID().slice(0, 8)}@example.test`;

function base32(s: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of s.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** RFC 6238 (SHA-1, 6 digits, 30 s), as an authenticator app computes it. */
export function totp(secret: string, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const n = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
  return String(n % 1_000_000).padStart(6, '0');
}

const used = new Map<string, number>();
/**
 * The next code the server has not seen for this secret (it accepts one step of skew), waiting if
 * needed; not the previous step's in the last 5 s of a step, where it would expire on its way.
 */
export async function nextCode(secret: string): Promise<string> {
  for (;;) {
    const now = Math.floor(Date.now() / 30_000);
    const earliest = Math.floor((Date.now() + 5_000) / 30_000) > now ? now : now - 1;
    const step = Math.max(earliest, (used.get(secret) ?? -Infinity) + 1);
    if (step <= now + 1) { used.set(secret, step); return totp(secret, step); }
    await new Promise(r => setTimeout(r, 1000));
  }
}

interface Mail { to: string; subject: string; text: string }

/** Waits for the newest mail to this address whose subject has the word; answers its link. */
export async function mailedLink(to: string, word: string, after = 0): Promise<string> {
  for (let i = 0; i < 150; i++) {
    const res = await fetch(`${MAILBOX}/mails?to=${encodeURIComponent(to)}`);
    const mails = (await res.json() as Mail[]).filter(m => m.subject.toLowerCase().includes(word));
    if (mails.length > after) {
      const m = /(https?:\/\/\S+\?token=[A-Za-z0-9_-]+)/.exec(mails[mails.length - 1].text);
      if (m) return m[1];
    }
    await new Promise(r => setTimeout(r, 100));
  }
  throw new Error(`no mail to ${to} about ${word}`);
}

export async function mailCount(to: string, word: string): Promise<number> {
  const res = await fetch(`${MAILBOX}/mails?to=${encodeURIComponent(to)}`);
  return (await res.json() as Mail[]).filter(m => m.subject.toLowerCase().includes(word)).length;
}

export async function newOrganization(request: APIRequestContext, name: string): Promise<string> {
  const email = unique('root');
  const res = await request.post(`${ROSTER}/api/v1/support/organizations`, {
    headers: { 'X-Support-Key': process.env.SUPPORT_KEY! },
    data: { name, rootAdmin: { email, firstName: 'Rita', lastName: 'Root' } },
  });
  expect(res.status()).toBe(201);
  return email;
}

/** No serious or critical axe violations, and a screenshot for the record. */
export async function check(page: Page, name: string) {
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true, timeout: 15_000 });
  const result = await Promise.race([new AxeBuilder({ page }).analyze(),
    new Promise<never>((_, fail) => setTimeout(() => fail(new Error('axe did not finish on ' + name)), 30_000))]);
  const bad = result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map(v => `${v.id}: ${v.help} (${v.nodes.map(n => n.target.join(' ')).join(', ')})`), name).toEqual([]);
}

/** Accepts an invitation in this page and enrols TOTP; answers the secret. */
export async function acceptAndEnrol(page: Page, email: string, shots?: string): Promise<string> {
  await page.goto(await mailedLink(email, 'invitation'));
  await expect(page.getByRole('heading', { name: 'Accept your invitation' })).toBeVisible();
  await page.getByLabel('Password', { exact: true }).fill('short');
  await expect(page.getByText('At least 12 characters: not yet')).toBeVisible();
  if (shots) await check(page, shots + '-invitation');
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await expect(page.getByText('At least 12 characters: met')).toBeVisible();
  await page.getByLabel('Confirm password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Set password' }).click();
  await expect(page.getByRole('heading', { name: 'Set up two-factor authentication' })).toBeVisible();
  await expect(page.getByRole('img', { name: 'QR code' })).toBeVisible();
  const secret = (await page.locator('dl.secret dd').innerText()).trim();
  expect(secret).toMatch(/^[A-Z2-7]+=*$/);
  if (shots) await check(page, shots + '-enrolment');
  await page.getByLabel('Authentication code').fill(await nextCode(secret));
  await page.getByRole('button', { name: 'Verify' }).click();
  return secret;
}
