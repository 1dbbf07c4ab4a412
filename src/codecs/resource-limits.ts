// Resource Reclamation (spec "Resource Reclamation"): a codec whose queued, unprocessed work
// grows past this bound is closed with QuotaExceededError instead of taking the process down.
// The default is generous: well-behaved code (that waits for `dequeue` or uses the stream
// classes) never comes near it.

export interface ResourceLimits {
  /** Bytes of frames/chunks a codec may hold in its control message queue. Default 1 GiB. */
  maxQueuedBytes: number;
}

export const resourceLimits: ResourceLimits = {
  maxQueuedBytes: 1024 * 1024 * 1024,
};

/** Changes the process-wide defaults for codecs created afterwards; returns the new limits. */
export function setResourceLimits(limits: Partial<ResourceLimits>): ResourceLimits {
  if (limits.maxQueuedBytes !== undefined) {
    if (!(limits.maxQueuedBytes > 0)) throw new RangeError('maxQueuedBytes must be a positive number');
    resourceLimits.maxQueuedBytes = limits.maxQueuedBytes;
  }
  return { ...resourceLimits };
}
