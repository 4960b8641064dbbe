// The real kernel over real netlink sockets: family resolution, errors, dumps.
import assert from 'node:assert/strict'
import {test} from 'node:test'

import {getChannels, getRings} from '../../dist/netlink/ethtool.js'
import {resolveFamily} from '../../dist/netlink/generic.js'
import {dumpLinks} from '../../dist/netlink/links.js'
import {dumpQueues} from '../../dist/netlink/netdev.js'
import {NetlinkError, withSocket} from '../../dist/netlink/socket.js'

test('the ethtool and netdev families resolve by name to dynamic ids; an unknown family is null', () => {
  withSocket('generic', (socket) => {
    const ethtool = resolveFamily(socket, 'ethtool')
    const netdev = resolveFamily(socket, 'netdev')
    assert.ok(ethtool.id >= 0x10 && netdev.id >= 0x10 && ethtool.id !== netdev.id)
    assert.ok(ethtool.ops.some((op) => op.id === 15), 'ethtool offers RINGS_GET')
    assert.ok(netdev.ops.some((op) => op.id === 10), 'netdev offers QUEUE_GET')
    assert.equal(resolveFamily(socket, 'uringctlnofam'), null)
  })
})

test('the link dump lists lo first, with the loopback type', () => {
  const links = withSocket('route', dumpLinks)
  assert.equal(links[0].name, 'lo')
  assert.equal(links[0].loopback, true)
  assert.ok(links.every((l) => l.ifindex > 0 && l.name.length > 0))
})

test('rings of lo: EOPNOTSUPP; of a missing ifindex: ENODEV with the kernel\'s message', () => {
  withSocket('generic', (socket) => {
    const ethtool = resolveFamily(socket, 'ethtool')
    assert.throws(() => getRings(socket, ethtool, 1, 'lo'), (e) => e instanceof NetlinkError && e.errnoName === 'EOPNOTSUPP')
    assert.throws(() => getChannels(socket, ethtool, 1, 'lo'), (e) => e instanceof NetlinkError && e.errnoName === 'EOPNOTSUPP')
    assert.throws(() => getRings(socket, ethtool, 0x7ffffff0, 'gone'), (e) => e instanceof NetlinkError && e.errnoName === 'ENODEV' && e.extack.message !== undefined)
    // The socket stays usable after errors: the next answer is matched by its own sequence number.
    assert.equal(resolveFamily(socket, 'ethtool').id, ethtool.id)
  })
})

test('queue-get dump lists lo\'s RX queue 0', () => {
  withSocket('generic', (socket) => {
    const queues = dumpQueues(socket, resolveFamily(socket, 'netdev'))
    assert.ok(queues.some((q) => q.ifindex === 1 && q.type === 'rx' && q.id === 0))
  })
})
