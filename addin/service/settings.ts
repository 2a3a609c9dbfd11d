// The connection to the sync service (its address and the user's token), remembered per user: in Office's roaming
// settings where the host has them (they follow the user to another computer), else in the pane's localStorage.
// Parsed with zod: anything may be in storage, and a broken entry means "not configured", never a broken pane.
import { z } from 'zod';
import type { KeyValueStore } from '../taskpane/settings';

export const ConnectionSettings = z.object({
  serviceUrl: z.string().max(500).catch(''),
  token: z.string().max(200).catch(''),
});
export type ConnectionSettings = z.infer<typeof ConnectionSettings>;

export const CONNECTION_KEY = 'caf-plan.connection.v1';

export function loadConnection(store: KeyValueStore | null, fallbackUrl = ''): ConnectionSettings {
  const empty = { serviceUrl: fallbackUrl, token: '' };
  if (!store) return empty;
  try {
    const raw = store.getItem(CONNECTION_KEY);
    if (raw === null) return empty;
    const parsed = ConnectionSettings.safeParse(JSON.parse(raw));
    if (!parsed.success) return empty;
    return { serviceUrl: parsed.data.serviceUrl || fallbackUrl, token: parsed.data.token };
  } catch {
    return empty;
  }
}

export function saveConnection(store: KeyValueStore | null, settings: ConnectionSettings): void {
  if (!store) return;
  try {
    store.setItem(CONNECTION_KEY, JSON.stringify(settings));
  } catch {
    // Storage blocked by policy: the pane works for this session and asks again next time.
  }
}
