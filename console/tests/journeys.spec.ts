import { expect, test, type Page } from '@playwright/test';
import { acceptAndEnrol, check, mailCount, mailedLink, newOrganization, nextCode, PASSWORD, ROSTER, unique } from './helpers';

test.describe.configure({ mode: 'serial' });

let rootEmail = '';
let rootSecret = '';

async function actions(page: Page, email: string) {
  await page.getByRole('button', { name: 'Actions for ' + email }).click();
  return page.getByRole('menu', { name: 'Actions for ' + email });
}

async function act(page: Page, email: string, item: string, confirm = false) {
  const menu = await actions(page, email);
  await menu.getByRole('menuitem', { name: item, exact: true }).click();
  if (confirm) {
    const dialog = page.getByRole('dialog');
    await expect(dialog).toBeVisible();
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await expect(dialog).toBeHidden();
  }
  await expect(page.getByText(`${item}: done for ${email}`)).toBeVisible();
}

/** Password, then the authenticator's code, into the console. */
async function signIn(page: Page, email: string, secret: string) {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel('Authentication code').fill(await nextCode(secret));
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('heading', { name: 'User Management' })).toBeVisible();
}

const row = (page: Page, email: string) => page.getByRole('row').filter({ has: page.getByRole('cell', { name: email, exact: true }) });

test('an invited admin accepts, enrols and runs the User Management console', async ({ page, browser, request }) => {
  rootEmail = await newOrganization(request, 'Browser Ltd');
  rootSecret = await acceptAndEnrol(page, rootEmail, 'admin');
  await expect(page.getByRole('heading', { name: 'User Management' })).toBeVisible();
  for (const name of ['Name', 'Email', 'Role', 'Status', '2FA', 'Last login']) {
    await expect(page.getByRole('columnheader', { name, exact: true })).toBeVisible();
  }
  await expect(row(page, rootEmail).getByText('Root Admin')).toBeVisible();

  // Add two users; a duplicate and a bad address come back as readable messages next to the fields.
  const bob = unique('bob');
  const carl = unique('carl');
  for (const [email, first] of [[bob, 'Bob'], [carl, 'Carl']]) {
    await page.getByRole('button', { name: 'Add user' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add user' });
    await dialog.getByLabel('Email').fill(email);
    await dialog.getByLabel('First name').fill(first);
    await dialog.getByLabel('Last name').fill('Builder');
    await dialog.getByLabel('Role').selectOption('USER');
    await dialog.getByLabel('Groups').fill('staff, field');
    await dialog.getByRole('button', { name: 'Send invitation' }).click();
    await expect(page.getByText('Invitation sent')).toBeVisible();
  }
  await page.getByRole('button', { name: 'Add user' }).click();
  let dialog = page.getByRole('dialog', { name: 'Add user' });
  await dialog.getByLabel('Email').fill('not-an-address');
  await dialog.getByRole('button', { name: 'Send invitation' }).click();
  await expect(dialog.getByText('must be a valid email address').first()).toBeVisible();
  await dialog.getByLabel('Email').fill(bob);
  await dialog.getByLabel('First name').fill('Bob');
  await dialog.getByLabel('Last name').fill('Again');
  await dialog.getByRole('button', { name: 'Send invitation' }).click();
  await expect(dialog.getByText('An account with this email already exists')).toBeVisible();
  await check(page, 'console-add-user');
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  // Find by search.
  await page.getByLabel('Search users').fill(bob.split('@')[0]);
  await expect(row(page, bob)).toBeVisible();
  await expect(row(page, carl)).toHaveCount(0);
  await page.getByLabel('Search users').fill('');
  await expect(row(page, carl)).toBeVisible();
  await check(page, 'console-users');

  // Bob accepts in a browser of his own: a USER lands on My account and sees no User Management.
  const bobContext = await browser.newContext();
  const bobPage = await bobContext.newPage();
  await acceptAndEnrol(bobPage, bob);
  await expect(bobPage.getByRole('heading', { name: 'My account' })).toBeVisible();
  await expect(bobPage.getByRole('link', { name: 'User Management' })).toHaveCount(0);
  await expect(bobPage.getByRole('link', { name: 'Security' })).toHaveCount(0);
  await check(bobPage, 'account');

  // Lock Bob with wrong passwords, then unlock him from the console.
  for (let i = 0; i < 5; i++) {
    await request.post(`${ROSTER}/api/v1/auth/login`, { data: { email: bob, password: 'Wrong-Password-1!' } });
  }
  await page.getByLabel('Status').selectOption('LOCKED_OUT');
  await expect(row(page, bob).getByText(/^Locked until /)).toBeVisible();
  await act(page, bob, 'Unlock');
  await page.getByLabel('Status').selectOption('');
  await expect(row(page, bob).getByText('Active', { exact: true })).toBeVisible();

  // Reset 2FA, deactivate, activate (each confirmed).
  await act(page, bob, 'Reset 2FA', true);
  await expect(row(page, bob).getByText('Not enrolled')).toBeVisible();
  await act(page, bob, 'Deactivate', true);
  await expect(row(page, bob).getByText('Deactivated', { exact: true })).toBeVisible();
  const resets = await mailCount(bob, 'reset');
  await act(page, bob, 'Activate', true);
  await expect(row(page, bob).getByText('Active', { exact: true })).toBeVisible();

  // Activation mailed Bob a reset link: the reset page sets his new password.
  await bobPage.goto(await mailedLink(bob, 'reset', resets));
  await expect(bobPage.getByRole('heading', { name: 'Reset password' })).toBeVisible();
  await bobPage.getByLabel('New password').fill('Brand-New-Horse-7!');
  await bobPage.getByLabel('Confirm password').fill('Brand-New-Horse-7!');
  await check(bobPage, 'reset-password');
  await bobPage.getByRole('button', { name: 'Reset password' }).click();
  await expect(bobPage.getByText('Your password is set.')).toBeVisible();
  await bobContext.close();

  // The Root Admin's row offers nothing the API would refuse.
  let menu = await actions(page, rootEmail);
  await expect(menu.getByRole('menuitem', { name: 'Edit' })).toBeVisible();
  await expect(menu.getByRole('menuitem', { name: 'Deactivate' })).toHaveCount(0);
  await expect(menu.getByRole('menuitem', { name: 'Delete' })).toHaveCount(0);
  await page.keyboard.press('Escape');

  // Delete asks for the email.
  menu = await actions(page, carl);
  await menu.getByRole('menuitem', { name: 'Delete' }).click();
  dialog = page.getByRole('dialog');
  await expect(dialog.getByRole('button', { name: 'Confirm' })).toBeDisabled();
  await dialog.getByLabel("Type the user's email to confirm").fill(carl);
  await check(page, 'console-delete');
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await expect(row(page, carl)).toHaveCount(0);

  // Import a CSV with good, bad and duplicate rows.
  await page.getByRole('button', { name: 'Import users' }).click();
  dialog = page.getByRole('dialog', { name: 'Import users' });
  const good1 = unique('imp');
  const good2 = unique('imp');
  const csv = `email,firstName,lastName,role\n${good1},Ida,Import,USER\nbroken,Ivo,Import,USER\n${good2},Ina,Import,ADMIN\n${bob},Bob,Dup,USER\n`;
  await dialog.getByLabel('CSV file').setInputFiles({ name: 'users.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await dialog.getByLabel('Dry run').uncheck();
  await dialog.getByRole('button', { name: 'Import' }).click();
  await expect(dialog.getByText('2 created, 1 duplicates, 1 invalid.')).toBeVisible();
  for (const name of ['Line', 'Email', 'Result', 'Errors']) {
    await expect(dialog.getByRole('columnheader', { name, exact: true })).toBeVisible();
  }
  await expect(dialog.getByRole('row').filter({ hasText: 'broken' })).toContainText('INVALID');
  await expect(dialog.getByRole('link', { name: 'Download the report as CSV' })).toHaveAttribute('download', 'import-report.csv');
  await check(page, 'console-import');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(row(page, good1)).toBeVisible();

  // The rest of section 7 from the console: edit, resend an invitation, reset a password.
  menu = await actions(page, bob);
  await menu.getByRole('menuitem', { name: 'Edit' }).click();
  dialog = page.getByRole('dialog', { name: 'Edit ' + bob });
  await dialog.getByLabel('Last name').fill('Baumeister');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(row(page, bob).getByRole('cell', { name: 'Bob Baumeister' })).toBeVisible();
  const invitations = await mailCount(good1, 'invitation');
  await act(page, good1, 'Resend invitation');
  await mailedLink(good1, 'invitation', invitations);
  const before = await mailCount(bob, 'reset');
  await act(page, bob, 'Reset password', true);
  await mailedLink(bob, 'reset', before);

  // Security: the policy, with the server's range errors shown next to the field.
  await page.getByRole('link', { name: 'Security' }).click();
  await expect(page.getByRole('heading', { name: 'Security', level: 1 })).toBeVisible();
  await page.getByLabel('Minimum password length').fill('5');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByText('must be a whole number from 8 to 64').first()).toBeVisible();
  await page.getByLabel('Minimum password length').fill('14');
  await page.getByLabel('Failed attempts before lockout').fill('7');
  await page.getByLabel('Lockout duration (minutes)').fill('15');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByText('Saved')).toBeVisible();
  await expect(page.getByLabel('Lockout duration (minutes)')).toHaveValue('15');
  await check(page, 'security');

  // Audit log, newest first, filtered by user.
  await page.getByRole('link', { name: 'Audit log' }).click();
  await expect(page.getByRole('heading', { name: 'Audit log' })).toBeVisible();
  await expect(page.getByRole('cell', { name: 'PASSWORD_POLICY_UPDATED' }).first()).toBeVisible();
  await page.getByLabel('Filter by user email').fill(bob);
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page.getByRole('cell', { name: 'USER_UNLOCKED' })).toBeVisible();
  await expect(page.getByRole('cell', { name: 'PASSWORD_POLICY_UPDATED' })).toHaveCount(0);
  await check(page, 'audit');

  // My account: own names; then sign out.
  await page.getByRole('link', { name: 'My account' }).click();
  await page.getByLabel('First name').fill('Rosa');
  await page.getByRole('button', { name: 'Save' }).first().click();
  await expect(page.getByText('Saved')).toBeVisible();
  await check(page, 'admin-account');
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
});

test('sign in with 2FA, a lockout with its countdown, forgot password, and a dead link', async ({ page }) => {
  await page.goto('/login');
  await check(page, 'login');
  const ghost = unique('ghost');
  for (let i = 0; i < 5; i++) {
    await page.getByLabel('Email').fill(ghost);
    await page.getByLabel('Password').fill('Wrong-Password-1!');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByText('Invalid email or password')).toBeVisible();
  }
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByText(/Locked until .* \(\d+ s left\)/)).toBeVisible();
  await check(page, 'login-locked');

  await page.getByRole('link', { name: 'Forgot password?' }).click();
  await expect(page.getByRole('heading', { name: 'Forgot password' })).toBeVisible();
  await page.getByLabel('Email').fill(ghost);
  await page.getByRole('button', { name: 'Send reset link' }).click();
  await expect(page.getByText('If an account exists for this email, a reset link is on its way.')).toBeVisible();
  await check(page, 'forgot-password');

  await signIn(page, rootEmail, rootSecret);

  await page.goto('/invitation?token=' + 'x'.repeat(43));
  await expect(page.getByText('This invitation link has expired or has already been used.')).toBeVisible();
  await expect(page.getByLabel('Password', { exact: true })).toHaveCount(0);
  await check(page, 'invitation-dead');
});

test('pages carry a strict Content-Security-Policy and leak no Referer', async ({ request }) => {
  const res = await request.get('/invitation?token=abc');
  expect(res.headers()['content-security-policy']).toContain("script-src 'self'");
  expect(res.headers()['content-security-policy']).not.toContain('unsafe-inline');
  expect(res.headers()['x-frame-options']).toBe('DENY');
  expect(res.headers()['referrer-policy']).toBe('no-referrer');
  expect(res.headers()['cache-control']).toBe('no-cache');
  const html = await res.text();
  const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1];
  const js = await request.get(asset);
  expect(js.headers()['cache-control']).toContain('max-age=31536000');
});

test('account protection: the allowlist, lockout mail and history settings, recovery codes, and a self-unlock', async ({ page, request }) => {
  await signIn(page, rootEmail, rootSecret);

  // Security: the IP allowlist, one network a line; a bad line is named, and leaving out one's own address asks first.
  await page.getByRole('link', { name: 'Security' }).click();
  await expect(page.getByRole('heading', { name: 'IP allowlist' })).toBeVisible();
  const addresses = page.getByLabel('Allowed addresses');
  await addresses.fill('10.0.0.0/8\n999.1.1.1/8');
  await page.getByRole('switch', { name: 'Enforce allowlist' }).check();
  await page.getByRole('button', { name: 'Save allowlist' }).click();
  await expect(page.getByText(/Line 2 \(999\.1\.1\.1\/8\): must be an IPv4 or IPv6 network/)).toBeVisible();
  await addresses.fill('10.0.0.0/8');
  await page.getByRole('button', { name: 'Save allowlist' }).click();
  const dialog = page.getByRole('dialog', { name: 'Lock yourself out?' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByText(/Your address, .*127\.0\.0\.1, is not in this list/)).toBeVisible();
  await check(page, 'security-allowlist-confirm');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await addresses.fill('127.0.0.0/8\n2001:db8::/32');
  await page.getByRole('button', { name: 'Save allowlist' }).click();
  await expect(page.getByText('Allowlist saved')).toBeVisible();

  // Lockout mail and password history, saved with the policy.
  await expect(page.getByLabel('Email users when their account locks')).toBeChecked();
  await expect(page.getByLabel('Earlier passwords that cannot be reused (0 to 24)')).toHaveValue('5');
  await page.getByLabel('Earlier passwords that cannot be reused (0 to 24)').fill('25');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByText('must be a whole number from 0 to 24').first()).toBeVisible();
  await page.getByLabel('Earlier passwords that cannot be reused (0 to 24)').fill('3');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByText('Saved', { exact: true })).toBeVisible();
  // Read back from the server: away and back again (the tokens live in memory, so no reload).
  await page.getByRole('link', { name: 'Audit log' }).click();
  await page.getByRole('link', { name: 'Security' }).click();
  await expect(page.getByLabel('Earlier passwords that cannot be reused (0 to 24)')).toHaveValue('3');
  await expect(page.getByLabel('Allowed addresses')).toHaveValue('127.0.0.0/8\n2001:db8::/32');
  await expect(page.getByRole('switch', { name: 'Enforce allowlist' })).toBeChecked();
  await check(page, 'security-protection');
  // Off again, so that the other journeys are not fenced in.
  await page.getByRole('switch', { name: 'Enforce allowlist' }).uncheck();
  await page.getByRole('button', { name: 'Save allowlist' }).click();
  await expect(page.getByText('Allowlist saved')).toBeVisible();

  // My account: recovery codes, shown once, with a download; one of them signs in instead of the app.
  await page.getByRole('link', { name: 'My account' }).click();
  await page.getByLabel('Password (to make recovery codes)').fill('Not-The-Password-1!');
  await page.getByRole('button', { name: 'Generate recovery codes' }).click();
  await expect(page.getByText('Invalid email or password')).toBeVisible();
  await page.getByLabel('Password (to make recovery codes)').fill(PASSWORD);
  await page.getByRole('button', { name: 'Generate recovery codes' }).click();
  const list = page.getByRole('list', { name: 'Your recovery codes' });
  await expect(list.getByRole('listitem')).toHaveCount(10);
  await expect(page.getByRole('link', { name: 'Download' })).toHaveAttribute('download', 'roster-recovery-codes.txt');
  await check(page, 'account-recovery-codes');
  const code = (await list.getByRole('listitem').first().innerText()).trim();
  expect(code).toMatch(/^[A-Z2-9]{5}-[A-Z2-9]{5}$/);
  await page.getByRole('button', { name: 'Done' }).click();
  await expect(page.getByText('You have 10 unused codes.')).toBeVisible();
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.getByLabel('Email').fill(rootEmail);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
  await page.getByLabel('Recovery code').fill(code);
  await check(page, 'login-recovery-code');
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('heading', { name: 'User Management' })).toBeVisible();
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();

  // Locked by wrong passwords: the notice's link unlocks in a click, once.
  for (let i = 0; i < 7; i++) {
    await request.post(`${ROSTER}/api/v1/auth/login`, { data: { email: rootEmail, password: 'Wrong-Password-1!' } });
  }
  const unlockLink = await mailedLink(rootEmail, 'is locked');
  expect(unlockLink).toContain('/unlock?token=');
  await page.goto(unlockLink);
  await expect(page.getByRole('heading', { name: 'Unlock your account' })).toBeVisible();
  await check(page, 'unlock');
  await page.getByRole('button', { name: 'Unlock my account' }).click();
  await expect(page.getByText('Your account is unlocked.')).toBeVisible();
  const login = await request.post(`${ROSTER}/api/v1/auth/login`, { data: { email: rootEmail, password: PASSWORD } });
  expect(login.status()).toBe(200);
  await page.goto(unlockLink);
  await page.getByRole('button', { name: 'Unlock my account' }).click();
  await expect(page.getByText('This unlock link has expired or has already been used.')).toBeVisible();
});

test('an admin connects an identity provider: a SCIM token shown once, the groups it pushes, revoked', async ({ page, request }) => {
  const admin = await newOrganization(request, 'Provisioned Ltd');
  await acceptAndEnrol(page, admin);
  await expect(page.getByRole('heading', { name: 'User Management' })).toBeVisible();
  await page.getByRole('link', { name: 'Provisioning' }).click();
  await expect(page.getByRole('heading', { name: 'SCIM provisioning' })).toBeVisible();
  await expect(page.getByText(ROSTER + '/scim/v2')).toBeVisible();
  await expect(page.getByText('No tokens yet.')).toBeVisible();

  await page.getByRole('button', { name: 'Create token' }).click();
  await expect(page.getByText('must be 1 to 100 characters, not blank')).toBeVisible();
  await page.getByLabel('Token name').fill('Okta');
  await page.getByRole('button', { name: 'Create token' }).click();
  await expect(page.getByText('Copy the token for Okta now: it is shown only this once.')).toBeVisible();
  const token = (await page.getByLabel('New SCIM token').innerText()).trim();
  expect(token.length).toBeGreaterThan(30);
  await expect(page.getByRole('cell', { name: 'Okta', exact: true })).toBeVisible();
  await check(page, 'provisioning-token');
  await page.getByRole('button', { name: 'Done' }).click();
  await expect(page.getByLabel('New SCIM token')).toHaveCount(0);

  // The identity provider provisions a user and pushes a group with the token.
  const scim = { Authorization: 'Bearer ' + token, 'Content-Type': 'application/scim+json' };
  const email = unique('pushed');
  const user = await request.post(`${ROSTER}/scim/v2/Users`, { headers: scim, data: {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: email,
    name: { givenName: 'Pat', familyName: 'Pushed' }, active: true } });
  expect(user.status()).toBe(201);
  const group = await request.post(`${ROSTER}/scim/v2/Groups`, { headers: scim, data: {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Field Engineers',
    members: [{ value: (await user.json()).id }] } });
  expect(group.status()).toBe(201);
  // Away and back (a reload would sign out: the session lives in the page's memory).
  await page.getByRole('link', { name: 'User Management' }).click();
  await page.getByRole('link', { name: 'Provisioning' }).click();
  const groups = page.getByRole('region', { name: 'Groups' });
  await expect(groups.getByRole('row').filter({ hasText: 'Field Engineers' })).toContainText('1');
  await expect(groups.getByRole('row').filter({ hasText: 'Field Engineers' })).toContainText('Yes');
  await check(page, 'provisioning-groups');

  // Revoked: the identity provider is shut out.
  await page.getByRole('button', { name: 'Revoke Okta' }).click();
  const dialog = page.getByRole('dialog', { name: 'Revoke Okta?' });
  await dialog.getByRole('button', { name: 'Revoke', exact: true }).click();
  await expect(page.getByText('Token Okta revoked')).toBeVisible();
  await expect(page.getByText('No tokens yet.')).toBeVisible();
  expect((await request.get(`${ROSTER}/scim/v2/Users`, { headers: scim })).status()).toBe(401);
});
