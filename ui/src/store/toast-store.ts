// Transient messages ("No more upstream", "Saved a copy") shown bottom-right.
import { create } from 'zustand';

export interface Toast {
  id: number;
  kind: 'info' | 'error' | 'success';
  text: string;
}

export interface ToastState {
  toasts: Toast[];
  push(kind: Toast['kind'], text: string, ttlMs?: number): void;
  dismiss(id: number): void;
}

let next = 1;

export const useToastStore = create<ToastState>()((set, get) => ({
  toasts: [],
  push(kind, text, ttlMs = 4000) {
    const id = next++;
    set({ toasts: [...get().toasts.slice(-3), { id, kind, text }] });
    if (ttlMs > 0) setTimeout(() => get().dismiss(id), ttlMs);
  },
  dismiss(id) {
    set({ toasts: get().toasts.filter((t) => t.id !== id) });
  },
}));

export const toast = {
  info: (text: string) => useToastStore.getState().push('info', text),
  success: (text: string) => useToastStore.getState().push('success', text),
  error: (text: string) => useToastStore.getState().push('error', text, 8000),
};
