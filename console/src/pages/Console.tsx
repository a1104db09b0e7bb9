import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { can, currentUser, signOut } from '../api';
import { navigate, onLink } from '../router';

/** The console's frame: navigation shows only what the signed-in role may use. */
export function Console(props: { title: string; path: string; children: ComponentChildren }) {
  const me = currentUser()!;
  useEffect(() => { document.title = props.title + ' · Roster'; }, [props.title]);
  const links: [string, string, boolean][] = [
    ['/console/users', 'User Management', can('users.manage')],
    ['/console/security', 'Security', can('admin-settings.access')],
    ['/console/provisioning', 'Provisioning', can('admin-settings.access')],
    ['/console/audit', 'Audit log', can('admin-settings.access')],
    ['/console/account', 'My account', true],
  ];
  return (
    <>
      <header class="top">
        <span class="brand">Roster</span>
        <nav aria-label="Console">
          <ul>
            {links.filter(l => l[2]).map(([href, text]) => (
              <li><a href={href} onClick={onLink} aria-current={props.path === href ? 'page' : undefined}>{text}</a></li>
            ))}
          </ul>
        </nav>
        <span class="who">{me.firstName} {me.lastName}</span>
        <button type="button" class="link" onClick={async () => { await signOut(); navigate('/login'); }}>Sign out</button>
      </header>
      <main class="wide">
        <h1>{props.title}</h1>
        {props.children}
      </main>
    </>
  );
}
