// Package checkout is paypage's domain: merchants, orders and their payment
// attempts, the order status state machine, and the service that the web
// layer calls. It declares the store and gateway interfaces it needs and
// imports neither PostgreSQL nor Amazon Pay code; those live in
// internal/postgres and internal/amazonpay.
package checkout
