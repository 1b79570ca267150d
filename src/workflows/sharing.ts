import {
  FollowUpVariables,
  isFollowUpEvent,
  maskPhone,
  type AnalysisData,
  type ContactDetails,
  type ExternalEvent,
  type OutcomeEvent,
} from '../contracts';
import type { SharingPolicy } from './policy';

/*
 * What one external system is sent of an event: only what it needs (docs/privacy.md lists each field). Pure and
 * Node-free: the workflows apply it, from the policy a session captured when it started.
 */

/** This service's own chain ids: always sent, they identify nobody. */
const CHAIN_KEYS: string[] = Object.values(FollowUpVariables);

const names = (list: string[], name: string) => list.includes('*') || list.includes(name);

function pick<T>(record: Record<string, T>, keys: string[]): Record<string, T> {
  return Object.fromEntries(Object.entries(record).filter(([key]) => names(keys, key)));
}

/** How `system` may find the customer: the phone number only to the systems the policy names. */
export function shareContactWith(system: string, contact: ContactDetails, policy: SharingPolicy): ContactDetails {
  return names(policy.phoneWith, system) ? contact : {};
}

/** The event as `system` may see it. */
export function shareWith(system: string, event: ExternalEvent, policy: SharingPolicy): ExternalEvent {
  const correlation = pick(event.correlation, [...policy.correlationKeys, ...CHAIN_KEYS]);
  if (isFollowUpEvent(event)) return { ...event, correlation };
  const text = names(policy.textWith, system);
  const evidence = text && names(policy.evidenceWith, system);
  const phone = event.customerPhoneNumber;
  const extractedData = event.extractedData && pick(event.extractedData, policy.extractedFields);
  const shared: OutcomeEvent = {
    ...event,
    correlation,
    summary: text ? event.summary : undefined,
    extractedData,
    analysis: event.analysis && shareAnalysis(event.analysis, { text, evidence, extractedData }),
    customerPhoneNumber: phone && (names(policy.phoneWith, system) ? phone : maskPhone(phone)),
    transcript: !policy.transcriptWith || names(policy.transcriptWith, system) ? event.transcript : undefined,
  };
  return shared;
}

type Part = { explanation?: string; [key: string]: unknown } | undefined;

/** A part of the analysis without its free-text explanation, unless the system receives text. */
function part<T extends Part>(value: T, keys: string[], text: boolean): T | undefined {
  if (!value) return undefined;
  const kept = pick(value, text ? [...keys, 'explanation'] : keys);
  return kept as T;
}

/**
 * The analysis, rebuilt from the fields the contract documents: anything the platform adds later stays here until
 * someone decides who needs it.
 */
function shareAnalysis(
  analysis: AnalysisData,
  { text, evidence, extractedData }: { text: boolean; evidence: boolean; extractedData?: Record<string, unknown> },
): AnalysisData {
  const { intent, resolution, sentiment } = analysis;
  const sentimentKeys = ['sentiment', 'score', 'detectedLanguage'];
  return {
    summary: text ? analysis.summary : undefined,
    intent: intent && {
      conversation: part(intent.conversation, ['intent', 'confidence'], text),
      message: part(intent.message, ['intent', 'confidence'], text),
    },
    resolution:
      resolution &&
      part(
        resolution,
        ['classification', 'confidenceScore', 'status', 'satisfiedChecklistItems', ...(evidence ? ['evidence'] : [])],
        text,
      ),
    sentiment: sentiment && {
      conversation: part(sentiment.conversation, sentimentKeys, text),
      message: part(sentiment.message, sentimentKeys, text),
    },
    extractedData,
  };
}
