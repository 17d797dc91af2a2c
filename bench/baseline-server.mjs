/**
 * The machine's own limit: a bare node:http server that reads the seed's JSON
 * body, parses it, and answers a fixed envelope. Every scenario is reported as
 * a ratio to this, measured in the same run.
 */
import { createServer } from 'node:http';

const port = Number(process.argv[2] ?? 0);
const ANSWER = JSON.stringify({
  success: true,
  data: {
    userId: 1042, login: 'jsmith', email: 'john.smith@example.com', firstName: 'John', lastName: 'Smith',
    networkId: 1, mailboxId: 101, authLevel: 'MailboxAdmin', status: 'Active', created: '2024-03-15T10:22:00Z',
  },
  errorCode: '',
  message: '',
});

const server = createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    if (body) JSON.parse(body);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(ANSWER) });
    res.end(ANSWER);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening on http://127.0.0.1:${server.address().port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
