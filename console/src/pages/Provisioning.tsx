import { useEffect, useState } from 'preact/hooks';
import { call, fieldErrors, formatTime, message } from '../api';
import { Alert, Dialog, Field, Scroll } from '../ui';

interface Token { id: string; name: string; createdAt: string }
interface Group { name: string; memberCount: number; scimId: string | null; externalId: string | null }

/**
 * Provisioning from an identity provider: the SCIM base URL and bearer tokens (a new token is
 * shown once), and the groups users carry, with member counts and whether a SCIM client pushes them.
 */
export function Provisioning() {
  return (
    <>
      <ScimTokens />
      <Groups />
    </>
  );
}

function ScimTokens() {
  const [tokens, setTokens] = useState<Token[]>();
  const [name, setName] = useState('');
  const [nameError, setNameError] = useState('');
  const [error, setError] = useState('');
  const [created, setCreated] = useState<{ name: string; token: string }>();
  const [revoking, setRevoking] = useState<Token>();
  const [notice, setNotice] = useState('');
  const load = () => call('GET', '/api/v1/organization/scim-tokens?limit=200').then(r => setTokens(r.items)).catch(err => setError(message(err)));
  useEffect(() => { load(); }, []);
  async function create(e: Event) {
    e.preventDefault();
    setError(''); setNameError(''); setNotice('');
    try {
      const r = await call('POST', '/api/v1/organization/scim-tokens', { name });
      setCreated({ name: r.name, token: r.token }); setName('');
      load();
    } catch (err) {
      setNameError(fieldErrors(err).name ?? '');
      setError(message(err));
    }
  }
  async function revoke(t: Token) {
    setRevoking(undefined); setError('');
    try {
      await call('DELETE', '/api/v1/organization/scim-tokens/' + t.id);
      setNotice(`Token ${t.name} revoked`);
      load();
    } catch (err) { setError(message(err)); }
  }
  const base = window.location.origin + '/scim/v2';
  return (
    <section aria-labelledby="scim-heading">
      <h2 id="scim-heading">SCIM provisioning</h2>
      <p>Okta, Microsoft Entra ID and other identity providers create, update and deactivate your users, and push their groups,
        through SCIM 2.0. Give your identity provider this base URL and a token.</p>
      <dl class="secret"><dt>SCIM base URL</dt><dd><code>{base}</code></dd></dl>
      {created && (
        <>
          <Alert kind="info">Copy the token for {created.name} now: it is shown only this once.</Alert>
          <dl class="secret"><dt>New token</dt><dd><code aria-label="New SCIM token">{created.token}</code></dd></dl>
          <button type="button" class="secondary" onClick={() => setCreated(undefined)}>Done</button>
        </>
      )}
      <form onSubmit={create} noValidate>
        <Field label="Token name" value={name} onInput={setName} error={nameError || undefined} />
        {error && !nameError && <Alert>{error}</Alert>}
        {notice && <Alert kind="info">{notice}</Alert>}
        <button type="submit">Create token</button>
      </form>
      {tokens && (tokens.length === 0 ? <p>No tokens yet.</p> : (
        <Scroll label="SCIM tokens">
          <table>
            <caption class="sr-only">SCIM tokens</caption>
            <thead><tr><th scope="col">Name</th><th scope="col">Created</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {tokens.map(t => (
                <tr><td>{t.name}</td><td>{formatTime(t.createdAt)}</td>
                  <td><button type="button" class="secondary" aria-label={'Revoke ' + t.name} onClick={() => setRevoking(t)}>Revoke</button></td></tr>
              ))}
            </tbody>
          </table>
        </Scroll>
      ))}
      {revoking && (
        <Dialog title={'Revoke ' + revoking.name + '?'} onClose={() => setRevoking(undefined)}>
          <p>The identity provider that uses this token can no longer provision users until it gets a new one.</p>
          <div class="buttons">
            <button type="button" onClick={() => revoke(revoking)}>Revoke</button>
            <button type="button" class="secondary" onClick={() => setRevoking(undefined)}>Cancel</button>
          </div>
        </Dialog>
      )}
    </section>
  );
}

function Groups() {
  const [groups, setGroups] = useState<Group[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState('');
  async function load(cursor: string | null) {
    try {
      const r = await call('GET', '/api/v1/groups?limit=100' + (cursor ? '&cursor=' + encodeURIComponent(cursor) : ''));
      setGroups(cursor ? [...groups, ...r.items] : r.items);
      setNext(r.nextCursor);
    } catch (err) { setError(message(err)); }
  }
  useEffect(() => { load(null); }, []);
  return (
    <section aria-labelledby="groups-heading">
      <h2 id="groups-heading">Groups</h2>
      <p>The groups your users are in, as admins, SSO and SCIM set them. SSO mapping rules deactivate users who are in none of
        the mapped groups.</p>
      {error && <Alert>{error}</Alert>}
      {groups.length === 0 && !error ? <p>No groups yet.</p> : (
        <Scroll label="Groups">
          <table>
            <caption class="sr-only">Groups and their members</caption>
            <thead><tr><th scope="col">Group</th><th scope="col">Members</th><th scope="col">Pushed by SCIM</th></tr></thead>
            <tbody>
              {groups.map(g => (
                <tr><td>{g.name}</td><td>{g.memberCount}</td><td>{g.scimId ? 'Yes' : 'No'}</td></tr>
              ))}
            </tbody>
          </table>
        </Scroll>
      )}
      {next && <button type="button" class="secondary" onClick={() => load(next)}>Load more</button>}
    </section>
  );
}
