import { outcomes } from './0001_outcomes';
import { transcripts } from './0002_transcripts';
import { transcriptPages } from './0003_transcript_pages';
import { dialLedger } from './0004_dial_ledger';
import { deliveryDigests } from './0005_delivery_digests';
import { chainState } from './0006_chain_state';
import { transcriptLinkKeys } from './0007_transcript_link_keys';

/** A schema change, applied once, in version order, inside its own transaction. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Every migration, oldest first. Never edit one that has shipped: add the next version. */
export const migrations: readonly Migration[] = [
  outcomes,
  transcripts,
  transcriptPages,
  dialLedger,
  deliveryDigests,
  chainState,
  transcriptLinkKeys,
];
