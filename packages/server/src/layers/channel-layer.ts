/**
 * A message on a channel layer: an object with a string `type`, which consumers dispatch on
 * (`chat.message` calls `chatMessage(message)`). Keep it JSON-serialisable, so that every
 * layer, including those that cross processes, carries it unchanged.
 */
export interface ChannelLayerMessage {
  readonly type: string;
  readonly [field: string]: unknown;
}

/** Options for `ChannelLayer.receive`. */
export interface ChannelLayerReceiveOptions {
  /** Aborting it withdraws the pending receive, which rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/**
 * How consumers talk to each other, within a process or across nodes (Channels' channel layer
 * specification). A channel is one consumer's mailbox; a group is a named set of channels that
 * `groupSend` reaches all at once. Delivery is at-most-once: a full or expired channel loses
 * messages rather than blocking the sender.
 *
 * @example
 * const layer: ChannelLayer = new InMemoryChannelLayer();
 * const inbox = await layer.newChannel();
 * await layer.groupAdd('chat', inbox);
 * await layer.groupSend('chat', { type: 'chat.message', text: 'hi' });
 * await layer.receive(inbox); // { type: 'chat.message', text: 'hi' }
 */
export interface ChannelLayer {
  /**
   * Queues `message` on `channel`. Rejects with `CHANNEL_FULL` if the channel holds its
   * capacity, `INVALID_CHANNEL_NAME` or `INVALID_MESSAGE` for bad input.
   */
  send<M extends ChannelLayerMessage>(channel: string, message: M): Promise<void>;
  /** The next message on `channel`, waiting for one; cancel the wait with `options.signal`. */
  receive(channel: string, options?: ChannelLayerReceiveOptions): Promise<ChannelLayerMessage>;
  /** A fresh, unique channel name for one consumer, starting with `prefix`. */
  newChannel(prefix?: string): Promise<string>;
  /** Adds `channel` to `group` (again: renews its membership). */
  groupAdd(group: string, channel: string): Promise<void>;
  /** Removes `channel` from `group`; removing a non-member is not an error. */
  groupDiscard(group: string, channel: string): Promise<void>;
  /** Sends a copy of `message` to every channel in `group`, skipping full ones. */
  groupSend<M extends ChannelLayerMessage>(group: string, message: M): Promise<void>;
  /** Drops every queued message and group. */
  flush(): Promise<void>;
  /** Releases the layer's resources; pending receives reject and later calls fail. */
  close(): Promise<void>;
}
