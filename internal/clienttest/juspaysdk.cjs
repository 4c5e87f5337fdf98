'use strict'
// Calls paypage through Juspay's Node SDK (expresscheckout-nodejs),
// configured as its README says, and prints what the SDK gave back as one
// JSON line: {"result": {...}} when the call resolved, {"error": {...}} when
// it threw. internal/clienttest/juspaysdk_test.go runs it once per call.
//
// Usage: node juspaysdk.cjs CALL 'ARGS_JSON'
// with JUSPAY_MERCHANT_ID, JUSPAY_API_KEY and JUSPAY_BASE_URL set.
const { Juspay, APIError } = require('expresscheckout-nodejs')

// The SDK logs to ./logs/juspay-sdk.log unless told otherwise (README,
// "Disable Logs"); set before the instance, whose resources take a logger.
Juspay.customLogger = () => Juspay.silentLogger

const juspay = new Juspay({
  merchantId: process.env.JUSPAY_MERCHANT_ID,
  apiKey: process.env.JUSPAY_API_KEY,
  baseUrl: process.env.JUSPAY_BASE_URL,
})

const calls = {
  'order.create': (a) => juspay.order.create(a.body),
  'order.status': (a) => juspay.order.status(a.order_id),
  'order.refund': (a) => juspay.order.refund(a.order_id, a.body),
  'orderSession.create': (a) => juspay.orderSession.create(a.body),
}

async function main() {
  const [name, args] = process.argv.slice(2)
  const call = calls[name]
  if (!call) {
    throw new Error(`unknown call ${name}; one of ${Object.keys(calls).join(', ')}`)
  }
  try {
    const res = await call(JSON.parse(args || '{}'))
    const { http, ...body } = res
    return { result: { status_code: http.statusCode, body } }
  } catch (err) {
    if (!(err instanceof APIError)) {
      throw err
    }
    return {
      error: {
        name: err.name,
        api_error: true,
        status: err.status,
        error_code: err.error_code,
        error_message: err.error_message,
        raw: err.raw,
      },
    }
  }
}

main().then(
  (out) => process.stdout.write(JSON.stringify(out) + '\n'),
  (err) => {
    process.stderr.write(`${err && err.stack ? err.stack : err}\n`)
    process.exit(1)
  },
)
