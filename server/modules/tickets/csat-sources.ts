import type { AccessPolicy } from '../../platform/access/access.service';
import type { Tx } from '../../platform/db/database';

/** A rating given outside a ticket's survey (a live chat's at its end), for the single customer view. */
export interface CsatRating {
  conversationId: string;
  subject: string;
  rating: number;
  comment: string | null;
  /** When it ended (a chat), the time the history is sorted by. */
  at: string | null;
}

/** A live chat in the single customer view's recent chats. */
export interface RecentChat {
  id: string;
  status: 'waiting' | 'active' | 'ended' | 'ticket';
  agent: { id: string; name: string } | null;
  startedAt: string;
  endedAt: string | null;
  rating: number | null;
  ticketId: string | null;
  interactionId: string | null;
}

/**
 * Where ratings other than the tickets' surveys come from: the live chat module registers
 * its chats' ratings (and its recent chats) (it uses this module, so this one cannot import it). `rated` must show
 * the caller only what they may read.
 */
export interface CsatSource {
  name: string;
  rated(tx: Tx, policy: AccessPolicy, contactIds: string[], limit: number): Promise<CsatRating[]>;
  /** The contacts' conversations, rated or not, newest first (the single customer view's recent chats). */
  recent?(tx: Tx, policy: AccessPolicy, contactIds: string[], limit: number): Promise<RecentChat[]>;
}

const SOURCES = new Map<string, CsatSource>();

/** Registers a source of ratings (idempotent by name: tests start several runtimes). */
export function registerCsatSource(source: CsatSource): void {
  SOURCES.set(source.name, source);
}

export const csatSources = (): CsatSource[] => [...SOURCES.values()];
