import { useEffect, useState } from 'preact/hooks';

// A tiny history router: the pages are one document, so tokens in memory survive navigation.
const listeners = new Set<() => void>();

export function navigate(to: string, replace = false) {
  if (replace) history.replaceState(null, '', to); else history.pushState(null, '', to);
  listeners.forEach(l => l());
  window.scrollTo(0, 0);
}

export function useLocation(): URL {
  const [, tick] = useState(0);
  useEffect(() => {
    const l = () => tick(n => n + 1);
    listeners.add(l);
    window.addEventListener('popstate', l);
    return () => { listeners.delete(l); window.removeEventListener('popstate', l); };
  }, []);
  return new URL(window.location.href);
}

/** Same-origin links navigate inside the document. */
export function onLink(e: MouseEvent) {
  const a = (e.currentTarget as HTMLAnchorElement);
  if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
  e.preventDefault();
  navigate(a.getAttribute('href') ?? '/');
}
