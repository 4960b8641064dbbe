import assert from 'node:assert/strict'
import {describe, test} from 'node:test'

import {
  NetlinkDecodeError, decodeAttributes, decodeDatagram, decodeGenl, encodeAttr, encodeMessage, genlHeader, splitAttributes,
} from '../../dist/netlink/codec.js'
import {describeTcpDataSplit, decodeChannelsReply, decodeRingsReply} from '../../dist/netlink/ethtool.js'
import {ethtoolRingsAttrs} from '../../dist/netlink/families/ethtool.js'
import {decodeFamily} from '../../dist/netlink/generic.js'
import {ctrlFamilyAttrs} from '../../dist/netlink/families/ctrl.js'
import {decodePagePool, decodeQueue} from '../../dist/netlink/netdev.js'
import {datagrams, described, ethtoolSplitWord, fixtureNames} from './fixtures.js'

const kindOf = {genl: 'data', nlctrl: 'data', ACK: 'ack', ERROR: 'error', DONE: 'done'}

/** Compares our attribute framing with the fixture's decoded tree (type, nested flag, length, children). */
function assertAttrTree(bytes, expected, where) {
  const attrs = splitAttributes(bytes)
  assert.equal(attrs.length, expected.length, `${where}: attribute count`)
  attrs.forEach((attr, i) => {
    const want = expected[i]
    assert.equal(attr.type, want.type, `${where}[${i}] type`)
    assert.equal(attr.nested, want.nested_flag, `${where}[${i}] NLA_F_NESTED`)
    assert.equal(attr.value.length + 4, want.len, `${where}[${i}] length`)
    if (Array.isArray(want.value)) assertAttrTree(attr.value, want.value, `${where}.${want.name}`)
  })
}

describe('every captured fixture decodes to what the capture tool saw', () => {
  for (const name of fixtureNames) {
    test(name, () => {
      const expected = described[name].datagrams
      const got = datagrams(name)
      assert.equal(got.length, expected.length, 'datagram count')
      got.forEach((datagram, d) => {
        const messages = decodeDatagram(datagram)
        assert.equal(messages.length, expected[d].length, `datagram ${d}: message count`)
        messages.forEach((m, i) => {
          const want = expected[d][i]
          assert.equal(m.kind, kindOf[want.kind], 'message kind')
          assert.equal(m.header.length, want.nlmsg_len)
          assert.equal(m.header.type, want.nlmsg_type)
          assert.equal(m.header.flags, Number(want.nlmsg_flags))
          assert.equal(m.header.seq, want.nlmsg_seq)
          assert.equal(m.header.pid, want.nlmsg_pid)
          if (m.kind === 'error') assert.equal(-m.errno, want.error)
          if (m.kind === 'done') assert.equal(m.errno, want.done_errno)
          if (want.extack?.msg) assert.equal(m.extack.message, want.extack.msg)
          if (want.extack?.offs !== undefined) assert.equal(m.extack.offset, want.extack.offs)
          if (want.extack?.miss_type !== undefined) assert.equal(m.extack.missingType, want.extack.miss_type)
          if (m.kind === 'data') {
            const genl = decodeGenl(m)
            assert.equal(genl.cmd, want.genl_cmd)
            assert.equal(genl.version, want.genl_version)
            if (want.attrs) assertAttrTree(genl.attrs, want.attrs, name)
          }
        })
      })
    })
  }
})

const ethtoolFamilyId = 0x15

function ringsOf(name) {
  const [message] = decodeDatagram(datagrams(name)[0])
  return decodeRingsReply(message, ethtoolFamilyId)
}

describe('TCP data split, as the kernel reports it', () => {
  test('virtio_net (eth0): rings reported, split attribute omitted = "not reported", which ethtool prints as n/a', () => {
    const rings = ringsOf('rings_get_eth0.reply.hex')
    assert.deepEqual([rings.ifindex, rings.ifname, rings.rx, rings.rxMax, rings.tx, rings.txMax], [4, 'eth0', 256, 256, 256, 256])
    assert.equal(rings.tcpDataSplit, null)
    assert.equal(rings.hdsThresh, null)
    assert.equal(rings.txPush, false)
    assert.deepEqual(describeTcpDataSplit(rings.tcpDataSplit), {state: 'not-reported', ethtoolText: 'n/a'})
    assert.equal(ethtoolSplitWord(described['rings_get_eth0.reply.hex'].ethtool_output), 'n/a')
  })

  test('synthetic "split on": value 2, HDS threshold 0 of 1023', () => {
    const rings = ringsOf('rings_get_synthetic_hds_on.reply.hex')
    assert.equal(rings.tcpDataSplit, 2)
    assert.equal(rings.hdsThresh, 0)
    assert.equal(rings.hdsThreshMax, 1023)
    assert.deepEqual([rings.rx, rings.rxMax, rings.tx, rings.txMax], [1023, 2047, 511, 2047])
    assert.deepEqual(describeTcpDataSplit(rings.tcpDataSplit), {state: 'on', ethtoolText: 'on'})
  })

  test('synthetic "split off": value 1, HDS threshold 256, buffer length, CQE size, TX push', () => {
    const rings = ringsOf('rings_get_synthetic_hds_off.reply.hex')
    assert.equal(rings.tcpDataSplit, 1)
    assert.equal(rings.hdsThresh, 256)
    assert.equal(rings.rxBufLen, 4096)
    assert.equal(rings.cqeSize, 64)
    assert.equal(rings.txPush, true)
    assert.deepEqual(describeTcpDataSplit(rings.tcpDataSplit), {state: 'off', ethtoolText: 'off'})
  })

  test('synthetic unknown value 3 is reported as such, as ethtool 6.1 prints it', () => {
    const rings = ringsOf('rings_get_synthetic_tds_unknown_value.reply.hex')
    assert.equal(rings.tcpDataSplit, 3)
    assert.deepEqual(describeTcpDataSplit(rings.tcpDataSplit), {state: 'unknown-value', ethtoolText: 'unknown(3)'})
  })

  test('an explicit UNKNOWN (0) reads like an omitted attribute', () => {
    assert.deepEqual(describeTcpDataSplit(0), {state: 'not-reported', ethtoolText: 'n/a'})
  })

  test('a dump ends in NLMSG_DONE after one reply per device with ring parameters', () => {
    const messages = decodeDatagram(datagrams('rings_get_dump.reply.hex')[0])
    assert.deepEqual(messages.map((m) => m.kind), ['data', 'done'])
    assert.equal(decodeRingsReply(messages[0], ethtoolFamilyId).ifname, 'eth0')
  })

  test('a reply of another family or command is a decode error, not a misread', () => {
    const [message] = decodeDatagram(datagrams('rings_get_eth0.reply.hex')[0])
    assert.throws(() => decodeRingsReply(message, 0x14), NetlinkDecodeError)
    assert.throws(() => decodeChannelsReply(message, ethtoolFamilyId), NetlinkDecodeError)
  })
})

describe('error replies', () => {
  const error = (name) => decodeDatagram(datagrams(name)[0])[0]

  test('EOPNOTSUPP from lo, ifb and veth (no get_ringparam), without extended ack', () => {
    for (const name of ['rings_get_lo.error.hex', 'rings_get_ifb0.error.hex', 'rings_get_veth.error.hex']) {
      const m = error(name)
      assert.equal(m.kind, 'error')
      assert.equal(m.errno, 95)
      assert.deepEqual(m.extack, {})
      assert.equal(m.request.type, 0x15, 'the echoed request header')
    }
  })

  test('ENODEV with the kernel\'s message and the offset of the offending attribute', () => {
    const m = error('rings_get_nosuchdev.error.hex')
    assert.equal(m.errno, 19)
    assert.deepEqual(m.extack, {message: 'no device matches name', offset: 24})
  })

  test('EINVAL for a missing header names the missing attribute type', () => {
    const m = error('rings_get_noheader.error.hex')
    assert.equal(m.errno, 22)
    assert.equal(m.extack.missingType, 1)
  })

  test('EPERM for an unprivileged RINGS_SET', () => {
    assert.equal(error('rings_set_unpriv.error.hex').errno, 1)
  })

  test('ACK after a reply is an ack, not an error', () => {
    const ack = decodeDatagram(datagrams('rings_get_eth0.reply.hex')[1])[0]
    assert.equal(ack.kind, 'ack')
  })
})

describe('generic netlink controller and netdev', () => {
  test('nlctrl resolves "ethtool" to its boot-time id, with its operations', () => {
    const [m] = decodeDatagram(datagrams('ctrl_getfamily_ethtool.reply.hex')[0])
    const family = decodeFamily(decodeAttributes(decodeGenl(m).attrs, ctrlFamilyAttrs))
    assert.equal(family.name, 'ethtool')
    assert.equal(family.id, 0x15)
    assert.equal(family.version, 1)
    assert.equal(family.ops.length, 50)
    assert.ok(family.ops.some((op) => op.id === 15), 'RINGS_GET is offered')
  })

  test('nlctrl resolves "netdev"', () => {
    const [m] = decodeDatagram(datagrams('ctrl_getfamily_netdev.reply.hex')[0])
    const family = decodeFamily(decodeAttributes(decodeGenl(m).attrs, ctrlFamilyAttrs))
    assert.deepEqual([family.name, family.id, family.version], ['netdev', 20, 1])
  })

  test('queue-get dump: queues per device, none bound to a memory provider', () => {
    const messages = decodeDatagram(datagrams('netdev_queue_get_dump.reply.hex')[0])
    const queues = messages.filter((m) => m.kind === 'data').map((m) => decodeQueue(m, 20))
    assert.deepEqual(queues.map((q) => [q.ifindex, q.id, q.type, q.napiId]), [[1, 0, 'rx', null], [1, 0, 'tx', null], [4, 0, 'rx', 257], [4, 0, 'tx', null]])
    assert.ok(queues.every((q) => q.memoryProvider === null && !q.xsk))
    assert.equal(messages.at(-1).kind, 'done')
  })

  test('a queue bound to io_uring zcrx carries the empty IO_URING nest', () => {
    const [m] = decodeDatagram(datagrams('netdev_queue_get_synthetic_iouring.reply.hex')[0])
    const queue = decodeQueue(m, 20)
    assert.deepEqual([queue.ifindex, queue.id, queue.type, queue.memoryProvider], [7, 1, 'rx', 'io_uring'])
  })

  test('an empty page-pool dump is only NLMSG_DONE', () => {
    assert.deepEqual(decodeDatagram(datagrams('netdev_page_pool_get_dump.reply.hex')[0]).map((m) => m.kind), ['done'])
  })

  test('a page pool with a 64-bit id and an io_uring provider', () => {
    const wide = new Uint8Array(12)
    new DataView(wide.buffer).setUint16(0, 12, true)
    new DataView(wide.buffer).setUint16(2, 1, true)
    new DataView(wide.buffer).setBigUint64(4, 2n ** 60n, true)
    const message = encodeMessage({type: 20, flags: 2, seq: 1, familyHeader: genlHeader(5, 1), attrs: [wide, encodeAttr.u32(2, 7), encodeAttr.nested(8, [])]})
    const pool = decodePagePool(decodeDatagram(message)[0], 20)
    assert.deepEqual([pool.id, pool.ifindex, pool.memoryProvider], [2n ** 60n, 7, 'io_uring'])
  })
})

describe('encoding reproduces the requests ethtool sent', () => {
  const hex = (bytes) => Buffer.from(bytes).toString('hex')

  test('CTRL_CMD_GETFAMILY "ethtool"', () => {
    const request = encodeMessage({type: 0x10, flags: 0x5, seq: 1, familyHeader: genlHeader(3, 1), attrs: [encodeAttr.string(2, 'ethtool')]})
    assert.equal(hex(request), hex(datagrams('ctrl_getfamily_ethtool.request.hex')[0]))
  })

  test('RINGS_GET by name and by index', () => {
    const byName = encodeMessage({type: 0x15, flags: 0x5, seq: 2, familyHeader: genlHeader(15, 1), attrs: [encodeAttr.nested(1, [encodeAttr.string(2, 'eth0')])]})
    assert.equal(hex(byName), hex(datagrams('rings_get_eth0.request.hex')[0]))
    const byIndex = encodeMessage({type: 0x15, flags: 0x5, seq: 10, familyHeader: genlHeader(15, 1), attrs: [encodeAttr.nested(1, [encodeAttr.u32(1, 4)])]})
    assert.equal(hex(byIndex), hex(datagrams('rings_get_eth0_by_index.request.hex')[0]))
  })

  test('RINGS_GET dump with an empty header nest', () => {
    const dump = encodeMessage({type: 0x15, flags: 0x305, seq: 2, familyHeader: genlHeader(15, 1), attrs: [encodeAttr.nested(1, [])]})
    assert.equal(hex(dump), hex(datagrams('rings_get_dump_ethtool.request.hex')[0]))
  })
})

describe('robustness', () => {
  test('unknown (future) attributes are skipped', () => {
    const attrs = new Uint8Array([...encodeAttr.u32(6, 512), ...encodeAttr.u32(200, 1), ...encodeAttr.string(99, 'future'), ...encodeAttr.u8(11, 2)])
    assert.deepEqual(decodeAttributes(attrs, ethtoolRingsAttrs), {rx: 512, tcpDataSplit: 2})
  })

  test('a known attribute of the wrong size is a decode error', () => {
    const short = new Uint8Array([7, 0, 6, 0, 1, 2, 3, 0])
    assert.throws(() => decodeAttributes(short, ethtoolRingsAttrs), (e) => e instanceof NetlinkDecodeError && /rx \(u32\) has 3 bytes/.test(e.message))
  })

  test('attribute lengths below the header or past the end are decode errors', () => {
    assert.throws(() => splitAttributes(new Uint8Array([2, 0, 1, 0])), NetlinkDecodeError)
    assert.throws(() => splitAttributes(new Uint8Array([12, 0, 1, 0, 0, 0, 0, 0])), NetlinkDecodeError)
    assert.throws(() => splitAttributes(new Uint8Array([8, 0])), NetlinkDecodeError)
  })

  test('every truncation of every fixture datagram decodes or throws NetlinkDecodeError', () => {
    let errors = 0
    for (const name of fixtureNames) {
      for (const datagram of datagrams(name)) {
        for (let cut = 0; cut < datagram.length; cut++) {
          try {
            for (const m of decodeDatagram(datagram.subarray(0, cut))) if (m.kind === 'data' && m.header.type >= 0x10) decodeAttributes(m.payload.subarray(4), ethtoolRingsAttrs)
          } catch (error) {
            assert.ok(error instanceof NetlinkDecodeError, `${name} cut at ${cut}: ${error}`)
            errors++
          }
        }
      }
    }
    assert.ok(errors > 0)
  })
})
