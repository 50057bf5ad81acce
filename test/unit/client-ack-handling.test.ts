// What an ack means to the writer: success, or which pipeline node to drop.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AckStatus } from '../../protocol/data-transfer.js';
import { interpretAck } from '../../client-lib/write/ack-handling.js';

const { success, error, checksumError } = AckStatus;

describe('interpretAck', () => {
  it('accepts the expected packet acknowledged by every node', () => {
    assert.deepEqual(interpretAck({ seq: 4, statuses: [success, success, success] }, 4, 3), { kind: 'acked' });
  });

  it('names the first node that reported a failure', () => {
    const outcome = interpretAck({ seq: 4, statuses: [success, error, error] }, 4, 3);
    assert.equal(outcome.kind, 'failed');
    assert.equal(outcome.kind === 'failed' && outcome.badIndex, 1);
    const checksum = interpretAck({ seq: 4, statuses: [checksumError] }, 4, 1);
    assert.equal(checksum.kind === 'failed' && checksum.badIndex, 0);
  });

  it('blames the first node without a status', () => {
    const outcome = interpretAck({ seq: 0, statuses: [success] }, 0, 3);
    assert.equal(outcome.kind === 'failed' && outcome.badIndex, 1);
  });

  it('blames the first node for an ack out of order', () => {
    const outcome = interpretAck({ seq: 7, statuses: [success, success] }, 6, 2);
    assert.equal(outcome.kind === 'failed' && outcome.badIndex, 0);
    const unexpected = interpretAck({ seq: 0, statuses: [success] }, undefined, 1);
    assert.equal(unexpected.kind, 'failed');
  });
});
