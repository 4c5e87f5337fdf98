'use strict'
// A test-only shim for the machine the SDK runs on, not for the SDK: loaded
// with node --require before juspaysdk.cjs. expresscheckout-nodejs 1.0.0
// hands URL.host ("localhost:8443") to https.request as the host name, so
// Node looks "localhost:8443" up in DNS. Juspay's own hosts use the default
// port, where URL.host has none; the tests' TLS front cannot, so the lookup
// drops a trailing ":port" here. Nothing else is changed.
const dns = require('dns')

const lookup = dns.lookup
dns.lookup = function (hostname, ...rest) {
  if (typeof hostname === 'string' && /^[^:]+:\d+$/.test(hostname)) {
    hostname = hostname.slice(0, hostname.lastIndexOf(':'))
  }
  return lookup.call(this, hostname, ...rest)
}
