// Whether the signed-in user may edit (editor or admin). Edit controls are hidden otherwise: the server
// would answer 403.
import { canEdit } from '../lib/roles';
import { useSessionStore } from '../store/session-store';

export function useCanEdit(): boolean {
  return useSessionStore((s) => canEdit(s.user?.role));
}
