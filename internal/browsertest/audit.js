// Layout and accessibility facts about the current page that axe-core does
// not check the way the tests want: horizontal overflow at the emulated
// width, 44x44 CSS px tap targets, labelled controls and the document
// language. The Go side decides what is a failure.
//
// Overflow needs clientWidth as well as innerWidth: with mobile emulation
// (as on a phone) Chrome widens the window to fit content that overflows,
// so innerWidth grows with scrollWidth and their comparison never fails.
// clientWidth stays the 360 px the viewport meta tag asked for.
(() => {
	const describe = (el) => {
		let s = el.tagName.toLowerCase();
		const id = el.getAttribute('data-testid');
		if (id) s += `[data-testid=${id}]`;
		else if (el.id) s += '#' + el.id;
		else if (el.getAttribute('name')) s += `[name=${el.getAttribute('name')}]`;
		const text = (el.innerText || el.value || '').trim().replace(/\s+/g, ' ').slice(0, 40);
		return text ? `${s} "${text}"` : s;
	};
	const rendered = (el) => {
		const cs = getComputedStyle(el);
		if (cs.display === 'none' || cs.visibility === 'hidden') return false;
		const r = el.getBoundingClientRect();
		return r.width > 0 && r.height > 0;
	};
	// WCAG 2.5.8 exempts a target "in a sentence": a link laid out inline
	// inside a paragraph that has words of its own besides the link's.
	const inSentence = (el) => {
		if (el.tagName !== 'A' || getComputedStyle(el).display !== 'inline') return false;
		let block = el.parentElement;
		while (block && getComputedStyle(block).display === 'inline') block = block.parentElement;
		if (!block || block.tagName !== 'P') return false;
		const own = block.textContent.replace(el.textContent, '');
		// Marks count: in Devanagari or Telugu a word's vowel signs sit
		// between its letters.
		return /[\p{L}\p{M}]{2,}/u.test(own);
	};
	const smallTargets = [];
	const exempt = [];
	for (const el of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]')) {
		if (!rendered(el)) continue;
		const r = el.getBoundingClientRect();
		if (r.width >= 44 && r.height >= 44) continue;
		const what = `${describe(el)} is ${Math.round(r.width)}x${Math.round(r.height)}`;
		(inSentence(el) ? exempt : smallTargets).push(what);
	}
	const named = (el) => {
		if ((el.getAttribute('aria-label') || '').trim()) return true;
		const by = el.getAttribute('aria-labelledby');
		if (by && by.split(/\s+/).some((id) => (document.getElementById(id)?.textContent || '').trim())) return true;
		return Array.from(el.labels || []).some((l) => l.textContent.trim());
	};
	const unlabelled = [];
	for (const el of document.querySelectorAll('input, select, textarea, button')) {
		const type = (el.getAttribute('type') || '').toLowerCase();
		if (type === 'hidden') continue;
		if (el.tagName === 'BUTTON' || ['submit', 'button', 'reset'].includes(type)) {
			if (!(el.innerText || el.value || '').trim() && !named(el)) unlabelled.push(describe(el));
			continue;
		}
		if (!named(el)) unlabelled.push(describe(el));
	}
	return {
		url: location.href,
		lang: document.documentElement.lang,
		scrollWidth: document.documentElement.scrollWidth,
		clientWidth: document.documentElement.clientWidth,
		innerWidth: window.innerWidth,
		smallTargets, exempt, unlabelled,
	};
})()
