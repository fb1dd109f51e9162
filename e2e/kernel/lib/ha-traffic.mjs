#!/usr/bin/env node
// ha-traffic.mjs - the traffic of the HA pair suite (suites/ha.sh), one node
// process per role, because a process start costs ~0.6 s under TCG:
//
//   ha-traffic.mjs stream-server PORT SECONDS INTERVAL_MS NAME
//       In a real server's namespace: answers every connection with an
//       HTTP/1.0 200 header, then one "." every INTERVAL_MS, SECONDS worth
//       of them, then "\nEND NAME\n" and a normal close; the client
//       returns a byte per "." and the server stays at most STREAM_LEAD
//       bytes ahead (see below). Prints "listening PORT".
//
//   ha-traffic.mjs probe VIP HTTP_PORT STREAM_PORT RATE TIMEOUT_S STALL_S STOP_FILE
//       In the client's namespace: one long-lived connection to
//       VIP:STREAM_PORT (returning a byte per "."), plus a new HTTP request to VIP:HTTP_PORT every
//       1/RATE s (each on its own connection, each with TIMEOUT_S) until
//       STOP_FILE exists. One line per event on stdout (appended to a file
//       by the suite, read while it runs):
//         REQ t0=EPOCH t1=EPOCH ok=1|0 what=BODY|ERROR mac=MAC mac1=MAC
//             mac, mac1: the client's ARP entry for the VIP when the
//             request started and when it ended (which director the
//             client was sending to)
//         STREAM-UP t=EPOCH                  first byte of the stream
//         STREAM-END t=EPOCH result=complete|reset|stall|eof|error bytes=N maxgap=S what=TEXT
//             stall: no byte for STALL_S; eof: closed before "END"
//         PROBE-END requests=N
//       Exits once the stop file exists, the stream has ended and every
//       request has finished.
//
// Times are the guest's wall clock (seconds, microseconds), the same clock
// as bash's $EPOCHREALTIME in the suite. Plain JS: runs on the host's node
// inside the guest without a build step.
import { existsSync, readFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';

const stamp = () => (Date.now() / 1000).toFixed(3);

function out(line) {
  process.stdout.write(`${line}\n`);
}

// The stream needs both directions. In DR the real server's bytes reach the
// client directly, so a pure download would carry on without any director;
// it is the client's packets that travel through the director that holds
// the VIP. So the client returns one byte per byte it receives, and the
// server never runs more than STREAM_LEAD bytes ahead of those: if the
// client's packets stop reaching the server (a director that does not know
// the connection), the stream stalls or is reset instead of quietly going on.
const STREAM_LEAD = 10;

function streamServer([port, seconds, intervalMs, name]) {
  const total = Math.round((Number(seconds) * 1000) / Number(intervalMs));
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    let head = '';
    let started = false;
    let sent = 0;
    let returned = 0;
    let timer;
    socket.on('error', () => socket.destroy());
    socket.on('close', () => clearInterval(timer));
    socket.on('data', (chunk) => {
      if (started) {
        returned += chunk.length;
        return;
      }
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      started = true;
      returned += head.length - end - 4;
      socket.write('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n');
      timer = setInterval(() => {
        if (sent >= total) {
          clearInterval(timer);
          socket.end(`\nEND ${name}\n`);
        } else if (sent - returned < STREAM_LEAD) {
          socket.write('.');
          sent++;
        }
      }, Number(intervalMs));
    });
  });
  server.listen(Number(port), '0.0.0.0', () => out(`listening ${port}`));
}

/** The client's ARP entry for ip (this namespace's /proc/net/arp), or "none". */
function arpMac(ip) {
  try {
    for (const line of readFileSync('/proc/net/arp', 'utf8').split('\n').slice(1)) {
      const [address, , flags, mac] = line.trim().split(/\s+/);
      if (address === ip && flags !== '0x0') return mac;
    }
  } catch {
    // no ARP table readable: report it as unknown
  }
  return 'none';
}

function probe([vip, httpPort, streamPort, rate, timeoutS, stallS, stopFile]) {
  let inFlight = 0;
  let requests = 0;
  let streamDone = false;
  let stopping = false;

  const finishIfDone = () => {
    if (stopping && streamDone && inFlight === 0) {
      out(`PROBE-END requests=${requests}`);
      process.exit(0);
    }
  };

  // The long-lived connection.
  {
    let bytes = 0;
    let body = '';
    let last = 0;
    let maxGap = 0;
    let ended = false;
    const socket = connect({ host: vip, port: Number(streamPort) });
    const end = (result, what) => {
      if (ended) return;
      ended = true;
      clearInterval(watchdog);
      socket.destroy();
      out(`STREAM-END t=${stamp()} result=${result} bytes=${bytes} maxgap=${maxGap.toFixed(2)} what=${what.replace(/\s+/g, '_') || '-'}`);
      streamDone = true;
      finishIfDone();
    };
    const watchdog = setInterval(() => {
      if (last && Date.now() / 1000 - last > Number(stallS)) end('stall', `no byte for ${stallS} s`);
    }, 250);
    socket.on('connect', () => socket.write(`GET /stream HTTP/1.0\r\nHost: ${vip}\r\n\r\n`));
    socket.on('data', (chunk) => {
      const t = Date.now() / 1000;
      if (!last) out(`STREAM-UP t=${stamp()}`);
      else maxGap = Math.max(maxGap, t - last);
      last = t;
      bytes += chunk.length;
      const text = chunk.toString('latin1');
      body = (body + text).slice(-64);
      const dots = text.split('.').length - 1;
      if (dots) socket.write('a'.repeat(dots));
    });
    socket.on('error', (error) => end(error.code === 'ECONNRESET' ? 'reset' : 'error', error.code ?? error.message));
    socket.on('end', () => {
      const match = /END (\S+)\n$/.exec(body);
      end(match ? 'complete' : 'eof', match ? `END_${match[1]}` : body.slice(-20));
    });
  }

  // New requests at RATE per second, each on its own connection.
  const request = () => {
    requests++;
    inFlight++;
    const t0 = stamp();
    const mac = arpMac(vip);
    let data = '';
    let done = false;
    const socket = connect({ host: vip, port: Number(httpPort) });
    const finish = (ok, what) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      out(`REQ t0=${t0} t1=${stamp()} ok=${ok ? 1 : 0} what=${what} mac=${mac} mac1=${arpMac(vip)}`);
      inFlight--;
      finishIfDone();
    };
    const timer = setTimeout(() => finish(false, 'TIMEOUT'), Number(timeoutS) * 1000);
    socket.on('connect', () => socket.write(`GET / HTTP/1.0\r\nHost: ${vip}\r\nConnection: close\r\n\r\n`));
    socket.on('data', (chunk) => (data += chunk.toString('latin1')));
    socket.on('error', (error) => finish(false, error.code ?? 'ERROR'));
    socket.on('end', () => {
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(data)?.[1] ?? '000';
      const body = (data.split('\r\n\r\n')[1] ?? '').trim().replace(/\s+/g, '_').slice(0, 40) || '-';
      finish(status === '200', status === '200' ? body : `HTTP${status}`);
    });
  };
  const ticker = setInterval(
    () => {
      if (existsSync(stopFile)) {
        clearInterval(ticker);
        stopping = true;
        finishIfDone();
        return;
      }
      request();
    },
    1000 / Number(rate),
  );
}

const [command, ...args] = process.argv.slice(2);
if (command === 'stream-server' && args.length === 4) streamServer(args);
else if (command === 'probe' && args.length === 7) probe(args);
else {
  process.stderr.write(
    'usage: ha-traffic.mjs stream-server PORT SECONDS INTERVAL_MS NAME\n       ha-traffic.mjs probe VIP HTTP_PORT STREAM_PORT RATE TIMEOUT_S STALL_S STOP_FILE\n',
  );
  process.exit(2);
}
