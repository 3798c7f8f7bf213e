// Autosave the open dashboard once edits have been quiet for `delayMs`, and before the page is left.
import { useEffect } from 'react';
import { useDashboardStore } from '../store/dashboard-store';

export function useAutosave(delayMs = 800): void {
  const present = useDashboardStore((s) => s.history?.present);
  const saveState = useDashboardStore((s) => s.saveState);
  useEffect(() => {
    if (saveState !== 'dirty') return;
    const timer = setTimeout(() => void useDashboardStore.getState().save(), delayMs);
    return () => clearTimeout(timer);
  }, [present, saveState, delayMs]);

  useEffect(() => {
    const beforeUnload = (e: BeforeUnloadEvent) => {
      const s = useDashboardStore.getState().saveState;
      if (s === 'dirty' || s === 'saving' || s === 'conflict') {
        void useDashboardStore.getState().save();
        e.preventDefault();
      }
    };
    window.addEventListener('beforeunload', beforeUnload);
    return () => window.removeEventListener('beforeunload', beforeUnload);
  }, []);
}
