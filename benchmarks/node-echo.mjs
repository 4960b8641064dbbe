// Node's `net` echo server, the baseline in benchmarks/echo.sh. Prints its port, serves until killed.
import net from 'node:net'

const server = net.createServer((socket) => {
  socket.setNoDelay(true)
  socket.on('error', () => socket.destroy())
  socket.pipe(socket)
})
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => console.log(server.address().port))
