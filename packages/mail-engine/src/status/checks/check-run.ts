import { renderText, text, type ServerText } from '@correio/texts';
import { toMailError } from '../../mail-error-rules.ts';
import { MailError, type Phase } from '../../errors.ts';

/** One step of a check as the "Save and test" screen shows it. */
export interface PhaseResult {
  phase: Phase;
  ok: boolean;
  /** Wall time of the phase in milliseconds. */
  ms: number;
  /** What was found (e.g. "TLSv1.3, certificate valid until …") or, on failure, what went wrong; English, for logs and old readers. */
  detail: string;
  detailText: ServerText;
  /** Set on the failed phase only. */
  error?: { code: string; message: string; serverResponse: string | null; transient: boolean; hint: string; text: ServerText; hintText: ServerText };
}

/** What a phase hands back: its value for the next phase, and the line shown for it. */
export interface PhaseOutcome<T> {
  value: T;
  detail: ServerText;
}

/**
 * A check of one direction: runs phases in order under one deadline, records each phase's
 * result and stops at the first failure with a MailError stamped with the phase it happened
 * in. The deadline (not a per-phase timeout) is what bounds a check: a server that accepts and
 * then stays silent costs exactly the check timeout, never several.
 */
export class CheckRun {
  readonly phases: PhaseResult[] = [];
  private readonly deadline: number;

  constructor(
    private readonly timeoutMs: number,
    private readonly options: {
      authHint?: ServerText | undefined;
      /** Called once when the server has said nothing for `waitingAfterMs` while connecting or greeting. */
      onWaiting?: () => void;
      waitingAfterMs?: number;
    } = {},
  ) {
    this.deadline = Date.now() + timeoutMs;
  }

  remaining(): number {
    return Math.max(1, this.deadline - Date.now());
  }

  /**
   * Runs one phase. `abort` is called when the deadline passes (close the socket / client), so
   * nothing keeps waiting after the check has given up; `explain` may sharpen the error with
   * what the phase knows (e.g. a silent server on port 993 probably expects TLS).
   */
  async phase<T>(
    phase: Phase,
    run: (remainingMs: number) => Promise<PhaseOutcome<T>>,
    options: { abort?: () => void; explain?: (error: MailError) => MailError } = {},
  ): Promise<T> {
    const { abort, explain } = options;
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    // Before the greeting nothing is computed here: a long wait is the server's silence, and the
    // check can give its concurrency slot to one that has work to do.
    const waiting =
      this.options.onWaiting && (phase === 'CONNECT' || phase === 'TLS' || phase === 'GREETING') ? setTimeout(this.options.onWaiting, this.options.waitingAfterMs ?? 300) : undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        const ms = this.deadline - Date.now();
        timer = setTimeout(() => {
          abort?.();
          reject(new MailError('TIMEOUT', phase, { text: text(`mail.TIMEOUT.phase.${phase}`, { seconds: this.timeoutSeconds }) }));
        }, Math.max(0, ms));
      });
      const outcome = await Promise.race([run(this.remaining()), timeout]);
      this.phases.push({ phase, ok: true, ms: elapsed(started), detail: renderText(outcome.detail, 'en'), detailText: outcome.detail });
      return outcome.value;
    } catch (err) {
      let error = atPhase(toMailError(err, phase, { authHint: this.options.authHint }), phase);
      if (explain) error = explain(error);
      this.phases.push(failedPhase(phase, error, elapsed(started)));
      throw error;
    } finally {
      clearTimeout(timer);
      clearTimeout(waiting);
    }
  }

  /** A phase that needs no work but belongs in the list (e.g. "no TLS: encryption is off"). */
  note(phase: Phase, detail: ServerText): void {
    this.phases.push({ phase, ok: true, ms: 0, detail: renderText(detail, 'en'), detailText: detail });
  }

  /** The check's bound in seconds, as its timeout texts say it. */
  get timeoutSeconds(): number {
    const s = this.timeoutMs / 1000;
    return Number.isInteger(s) ? s : Number(s.toFixed(1));
  }
}

/** A failed phase as the check lists it: its detail is the error's own text. */
export function failedPhase(phase: Phase, error: MailError, ms: number): PhaseResult {
  return {
    phase,
    ok: false,
    ms,
    detail: error.message,
    detailText: error.text,
    error: { code: error.code, message: error.message, serverResponse: error.serverResponse, transient: error.transient, hint: error.hint, text: error.text, hintText: error.hintText },
  };
}

/** The classifier guesses a phase from the error; a check knows it exactly. */
export function atPhase(error: MailError, phase: Phase): MailError {
  if (error.phase === phase) return error;
  return new MailError(error.code, phase, { text: error.text, hintText: error.hintText, serverResponse: error.serverResponse, transient: error.transient, cause: error.cause });
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}
