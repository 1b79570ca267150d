/** One message of a transcript, as the Agntix API pages it and the stores keep it; other fields are kept as sent. */
export interface TranscriptMessage {
  id: string;
  role: string;
  content?: string | null;
  createdAt?: string | null;
  [key: string]: unknown;
}
