package web

import "net/url"

// kfsReturnParam is the simulator's Key Fact Statement parameter that names
// the page to go back to (sandbox.ParamReturn; a journey test keeps the
// two in step).
const kfsReturnParam = "return"

// termsURL is the link to a method's terms (Amazon's Key Fact Statement)
// for order id, if safe to link (providerURL). The link opens in the same
// tab; in sandbox mode it also tells the simulator's statement page the
// way back to this payment page. Amazon's own statement URL is signed and
// passed on unchanged.
func (s *Server) termsURL(raw, id string) string {
	u := s.providerURL(raw)
	if u == "" || !s.opts.Sandbox {
		return u
	}
	p, err := url.Parse(u)
	if err != nil {
		return u
	}
	q := p.Query()
	q.Set(kfsReturnParam, s.absURL(routePayShow, id))
	p.RawQuery = q.Encode()
	return p.String()
}
