// Child process of bench/http.ts: one autocannon run against a loopback URL, printed as JSON.
// argv: url token durationSeconds connections body
import autocannon from 'autocannon';

const [url = '', token = '', duration = '5', connections = '10', body = ''] = process.argv.slice(2);
const result = await autocannon({
  url,
  method: 'POST',
  duration: Number(duration),
  connections: Number(connections),
  headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
  body,
});
process.stdout.write(
  `${JSON.stringify({
    requestsPerSecond: result.requests.average,
    total: result.requests.total,
    latencyP50: result.latency.p50,
    latencyP99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  })}\n`,
);
