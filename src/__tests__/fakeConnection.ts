import { Signal } from '@lumino/signaling';

import { DLCoach } from '../models';

/** A push channel the test drives: emit on `received` what the server would send. */
export class FakeConnection {
  received = new Signal<this, DLCoach.StreamMessage>(this);
  connectionChanged = new Signal<this, boolean>(this);
  dispose(): void {
    Signal.clearData(this);
  }
}
