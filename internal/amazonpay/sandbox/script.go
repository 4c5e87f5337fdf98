package sandbox

// SetOutcome changes what the next charges of phone's account do, keeping
// its credit and links. QA and tests use it to script a decline followed by
// a successful retry on the same order.
func (s *Simulator) SetOutcome(phone string, o Outcome) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.accountLocked(NormalizePhone(phone)).persona.Outcome = o
}
