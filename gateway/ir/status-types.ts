// Status that translation computes and the controller writes back.
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime?: string;
}

export interface ObjectStatusUpdate {
  /** apiVersion/kind/namespace/name of the object whose status this is. */
  target: { group: string; kind: string; namespace?: string; name: string };
  /** The complete `.status` to write (the controller preserves lastTransitionTime of unchanged conditions). */
  status: Record<string, unknown>;
}
