import { render } from 'preact';
import { can, currentUser, home, signedIn } from './api';
import { navigate, useLocation } from './router';
import { Console } from './pages/Console';
import { ForgotPassword, Invitation, Login, ResetPassword, Unlock, VerifyEmail } from './pages/Public';
import { Provisioning } from './pages/Provisioning';
import { Account, Audit, Security } from './pages/Settings';
import { Users } from './pages/Users';

const CONSOLE: Record<string, { title: string; permission?: string; view: () => any }> = {
  '/console/users': { title: 'User Management', permission: 'users.manage', view: () => <Users /> },
  '/console/security': { title: 'Security', permission: 'admin-settings.access', view: () => <Security /> },
  '/console/provisioning': { title: 'Provisioning', permission: 'admin-settings.access', view: () => <Provisioning /> },
  '/console/audit': { title: 'Audit log', permission: 'admin-settings.access', view: () => <Audit /> },
  '/console/account': { title: 'My account', view: () => <Account /> },
};

function App() {
  const url = useLocation();
  const path = url.pathname.replace(/\/+$/, '') || '/';
  switch (path) {
    case '/invitation': return <Invitation />;
    case '/reset-password': return <ResetPassword />;
    case '/forgot-password': return <ForgotPassword />;
    case '/login': return <Login />;
    case '/verify-email': return <VerifyEmail />;
    case '/unlock': return <Unlock />;
  }
  if (!signedIn()) {
    queueMicrotask(() => navigate('/login', true));
    return null;
  }
  const page = CONSOLE[path];
  // Pages a role may not use are never shown; such a path leads home.
  if (!page || (page.permission && !can(page.permission))) {
    queueMicrotask(() => navigate(home(currentUser()!), true));
    return null;
  }
  return <Console title={page.title} path={path}>{page.view()}</Console>;
}

render(<App />, document.getElementById('app')!);
