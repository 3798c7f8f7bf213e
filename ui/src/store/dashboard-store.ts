// The dashboard editor's state: the document with undo/redo history, the server version it is based
// on, the save state shown in the header, a 409 conflict and how to resolve it, and the sources the
// nodes refer to. Saving is explicit (`save`); hooks/use-autosave.ts calls it after edits settle.
import { create, type StoreApi, type UseBoundStore } from 'zustand';
import * as dashboardsApi from '../api/dashboards';
import { conflictVersion } from '../api/dashboards';
import { errorMessage } from '../api/client';
import type { Dashboard, Source } from '../types/api';
import {
  checkpoint, docOf, historyOf, record, redo, replace, sameDoc, undo, type DashboardDoc, type History,
} from '../lib/dashboard-doc';

export type SaveState = 'saved' | 'dirty' | 'saving' | 'conflict' | 'error';

export interface DashboardApi {
  getDashboard(id: string): Promise<Dashboard>;
  saveDashboard(id: string, version: number, doc: DashboardDoc): Promise<Dashboard>;
}

export type ChangeMode = 'record' | 'replace';

export interface DashboardState {
  id: string | null;
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  version: number;
  saved: DashboardDoc | null;
  history: History | null;
  saveState: SaveState;
  saveError: string | null;
  conflict: { currentVersion: number | null } | null;
  updatedAt: string | null;
  sources: Record<string, Source>;

  load(id: string): Promise<void>;
  /** Apply a pure document change; 'record' adds an undo step, 'replace' does not. */
  change(fn: (doc: DashboardDoc) => DashboardDoc, mode?: ChangeMode): void;
  /** Start of a gesture (drag): one undo step for the whole gesture. */
  beginGesture(): void;
  undo(): void;
  redo(): void;
  save(): Promise<void>;
  reloadTheirs(): Promise<void>;
  overwriteMine(): Promise<void>;
  upsertSources(sources: readonly Source[]): void;
}

function stateFor(saved: DashboardDoc | null, present: DashboardDoc | null): SaveState {
  return saved && present && !sameDoc(saved, present) ? 'dirty' : 'saved';
}

export function createDashboardStore(api: DashboardApi): UseBoundStore<StoreApi<DashboardState>> {
  let saving: Promise<void> | null = null;

  return create<DashboardState>()((set, get) => {
    const loaded = (d: Dashboard) => {
      const doc = docOf(d);
      set({ id: d.id, status: 'ready', error: null, version: d.version, saved: doc, history: historyOf(doc),
        saveState: 'saved', saveError: null, conflict: null, updatedAt: d.updatedAt });
    };

    const put = async (version: number, doc: DashboardDoc) => {
      const id = get().id;
      if (!id) return;
      set({ saveState: 'saving', saveError: null });
      try {
        const d = await api.saveDashboard(id, version, doc);
        if (get().id !== id) return;
        const present = get().history?.present ?? doc;
        set({ version: d.version, saved: doc, updatedAt: d.updatedAt, conflict: null, saveState: stateFor(doc, present) });
      } catch (err) {
        const current = conflictVersion(err);
        if (current !== null) set({ saveState: 'conflict', conflict: { currentVersion: current >= 0 ? current : null } });
        else set({ saveState: 'error', saveError: errorMessage(err) });
      }
    };

    return {
      id: null, status: 'idle', error: null, version: 0, saved: null, history: null, saveState: 'saved', saveError: null,
      conflict: null, updatedAt: null, sources: {},

      async load(id) {
        set({ id, status: 'loading', error: null, history: null, saved: null, conflict: null, saveState: 'saved' });
        try {
          const d = await api.getDashboard(id);
          if (get().id === id) loaded(d);
        } catch (err) {
          if (get().id === id) set({ status: 'error', error: errorMessage(err) });
        }
      },

      change(fn, mode = 'record') {
        const h = get().history;
        if (!h) return;
        const next = fn(h.present);
        if (next === h.present) return;
        const history = mode === 'record' ? record(h, next) : replace(h, next);
        const conflict = get().saveState === 'conflict';
        set({ history, saveState: conflict ? 'conflict' : stateFor(get().saved, history.present) });
      },

      beginGesture() {
        const h = get().history;
        if (h) set({ history: checkpoint(h) });
      },

      undo() {
        const h = get().history;
        if (!h || h.past.length === 0) return;
        const history = undo(h);
        set({ history, saveState: get().saveState === 'conflict' ? 'conflict' : stateFor(get().saved, history.present) });
      },

      redo() {
        const h = get().history;
        if (!h || h.future.length === 0) return;
        const history = redo(h);
        set({ history, saveState: get().saveState === 'conflict' ? 'conflict' : stateFor(get().saved, history.present) });
      },

      async save() {
        // One save at a time; edits made meanwhile are saved by the next call.
        while (saving) await saving;
        const { history, saved, saveState, version } = get();
        if (!history || !saved || saveState === 'conflict' || sameDoc(saved, history.present)) return;
        saving = put(version, history.present).finally(() => {
          saving = null;
        });
        await saving;
      },

      async reloadTheirs() {
        const id = get().id;
        if (!id) return;
        try {
          loaded(await api.getDashboard(id));
        } catch (err) {
          set({ saveState: 'error', saveError: errorMessage(err) });
        }
      },

      async overwriteMine() {
        const { id, history } = get();
        if (!id || !history) return;
        let version = get().conflict?.currentVersion ?? null;
        if (version === null) {
          try {
            version = (await api.getDashboard(id)).version;
          } catch (err) {
            set({ saveState: 'error', saveError: errorMessage(err) });
            return;
          }
        }
        set({ conflict: null });
        await put(version, history.present);
      },

      upsertSources(sources) {
        if (sources.length === 0) return;
        const next = { ...get().sources };
        for (const s of sources) next[s.id] = s;
        set({ sources: next });
      },
    };
  });
}

export const useDashboardStore = createDashboardStore({
  getDashboard: (id) => dashboardsApi.getDashboard(id),
  saveDashboard: (id, version, doc) => dashboardsApi.saveDashboard(id, version, doc),
});
