package checkout

import "context"

// Shopper is who is at the browser for a request, passed on to providers,
// which ask for the end user's IP address and user agent on every call.
type Shopper struct {
	IP        string
	UserAgent string
}

type shopperKey struct{}

// WithShopper returns a context that carries the shopper of a request.
func WithShopper(ctx context.Context, s Shopper) context.Context {
	return context.WithValue(ctx, shopperKey{}, s)
}

// ShopperFrom returns the shopper a context carries, if any. Background
// work (the reconciler) has none.
func ShopperFrom(ctx context.Context) (Shopper, bool) {
	s, ok := ctx.Value(shopperKey{}).(Shopper)
	return s, ok
}
