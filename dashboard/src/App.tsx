import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, get, post, setCsrfToken, SIGNED_OUT, type Me } from './api.ts';
import { ErrorNote, Loading } from './components/ui.tsx';
import { MeContext } from './hooks.ts';
import { Link, match, navigate, useLocation } from './router.tsx';
import { AiRecommendationsScreen } from './screens/AiRecommendations.tsx';
import { ReviewBadge } from './screens/ai/ReviewBadge.tsx';
import { ApprovalsScreen } from './screens/Approvals.tsx';
import { AuditScreen } from './screens/Audit.tsx';
import { AuthenticatorScreen } from './screens/Authenticator.tsx';
import { ExceptionsScreen } from './screens/Exceptions.tsx';
import { NotificationsScreen } from './screens/Notifications.tsx';
import { OverviewScreen } from './screens/Overview.tsx';
import { PoliciesScreen } from './screens/Policies.tsx';
import { RunPage } from './screens/RunPage.tsx';
import { RunsScreen } from './screens/Runs.tsx';
import { WorkflowEditorScreen } from './screens/WorkflowEditor.tsx';
import { WorkflowsScreen } from './screens/Workflows.tsx';

interface Screen {
  path: string;
  label: string;
  /** The permission that reading this screen needs; the nav hides it otherwise. */
  needs: string;
}

const NAV: Screen[] = [
  { path: '/', label: 'Overview', needs: 'runs:read' },
  { path: '/approvals', label: 'Approvals', needs: 'approvals:read' },
  { path: '/exceptions', label: 'Exceptions', needs: 'exceptions:read' },
  { path: '/ai', label: 'AI recommendations', needs: 'exceptions:read' },
  { path: '/runs', label: 'Runs', needs: 'runs:read' },
  { path: '/workflows', label: 'Workflows', needs: 'workflows:read' },
  { path: '/policies', label: 'Policies', needs: 'workflows:read' },
  { path: '/notifications', label: 'Notifications', needs: 'exceptions:read' },
  { path: '/audit', label: 'Audit', needs: 'audit:read' },
];

export function App() {
  const [me, setMe] = useState<Me | null>(null);
  const [checked, setChecked] = useState(false);
  useEffect(() => {
    get<Me>('/auth/me').then(
      (who) => {
        setCsrfToken(who.csrfToken ?? null);
        setMe(who);
        setChecked(true);
      },
      () => setChecked(true),
    );
  }, []);
  useEffect(() => {
    const signedOut = () => {
      setCsrfToken(null);
      setMe(null);
    };
    window.addEventListener(SIGNED_OUT, signedOut);
    return () => window.removeEventListener(SIGNED_OUT, signedOut);
  }, []);
  if (!checked) return <Loading what="your session" />;
  if (!me) return <Login onSignedIn={setMe} />;
  return (
    <MeContext.Provider value={me}>
      <Shell me={me} onSignedOut={() => setMe(null)} />
    </MeContext.Provider>
  );
}

function Login({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const signedIn = await post<{ csrfToken: string }>('/auth/login', { email, password });
      setCsrfToken(signedIn.csrfToken);
      onSignedIn(await get<Me>('/auth/me'));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="login">
      <form onSubmit={submit} aria-labelledby="login-title" className="panel">
        <h1 id="login-title">Sign in to Crossdock</h1>
        <div className="field">
          <label htmlFor="login-email">Email</label>
          <input
            id="login-email"
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="login-password">Password</label>
          <input
            id="login-password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
        <ErrorNote error={error} />
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}

function Shell({ me, onSignedOut }: { me: Me; onSignedOut: () => void }) {
  const { path } = useLocation();
  const can = (p: string) => me.permissions.includes(p);
  const signOut = async () => {
    await post('/auth/logout').catch(() => undefined);
    setCsrfToken(null);
    navigate('/', { replace: true });
    onSignedOut();
  };
  const active = (p: string) => (p === '/' ? path === '/' : path === p || path.startsWith(`${p}/`));
  return (
    <div className="shell">
      <a href="#main" className="skip">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Crossdock</span>
        <nav aria-label="Screens">
          <ul>
            {NAV.filter((s) => can(s.needs)).map((s) => (
              <li key={s.path}>
                <Link to={s.path} aria-current={active(s.path) ? 'page' : undefined}>
                  {s.label}
                  {s.path === '/ai' && <ReviewBadge />}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <span className="who" data-role={me.role}>
          {me.email} · <strong>{me.role}</strong>
        </span>
        <button type="button" className="secondary small" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <Routes path={path} />
      </main>
    </div>
  );
}

function Routes({ path }: { path: string }) {
  let m: Record<string, string> | null;
  if (path === '/') return <OverviewScreen />;
  if ((m = match('/approvals', path)) || (m = match('/approvals/:id', path)))
    return <ApprovalsScreen selected={m.id ?? null} />;
  if ((m = match('/exceptions', path)) || (m = match('/exceptions/:id', path)))
    return <ExceptionsScreen selected={m.id ?? null} />;
  if (match('/ai', path)) return <AiRecommendationsScreen />;
  if (match('/runs', path)) return <RunsScreen />;
  if ((m = match('/runs/:id', path))) return <RunPage id={m.id!} />;
  if ((m = match('/workflows/:id/edit', path))) return <WorkflowEditorScreen id={m.id!} />;
  if (
    (m = match('/workflows', path)) ||
    (m = match('/workflows/:id', path)) ||
    (m = match('/workflows/:id/versions/:hash', path))
  )
    return <WorkflowsScreen selected={m.id ?? null} version={m.hash ?? null} />;
  if (match('/policies', path)) return <PoliciesScreen />;
  if (match('/audit', path)) return <AuditScreen />;
  if (match('/notifications', path)) return <NotificationsScreen />;
  // Reached from a step-up level's decision form (not a screen of the nav).
  if (match('/authenticator', path)) return <AuthenticatorScreen />;
  return (
    <ErrorNote
      error={new ApiError(404, { code: 'PAGE_NOT_FOUND', message: `No page ${path}`, details: [] })}
    />
  );
}
