// Package checkout is paypage's domain: merchants, orders and their payment
// attempts, the order status state machine, and the service that the web
// layer calls. It declares the store interface it needs and the payment
// method seam (Method) that connectors implement, names no provider, and
// imports neither PostgreSQL nor any provider's code; those live in
// internal/postgres and in one package per method.
package checkout
