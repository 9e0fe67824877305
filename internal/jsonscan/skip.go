package jsonscan

// Skip reads and checks one value of any type without keeping it. depth is
// the nesting of the value's container (0 for a top-level value); arrays and
// objects nested deeper than the Scanner's MaxDepth are an error.
func (p *Scanner) Skip(depth int) error {
	switch c := p.Peek(); {
	case c == '"':
		_, err := p.String()
		return err
	case c == '{' || c == '[':
		limit := p.MaxDepth
		if limit == 0 {
			limit = DefaultMaxDepth
		}
		if depth >= limit {
			return p.Errorf("nesting deeper than %d levels", limit)
		}
		closing := c + 2
		if p.Open() {
			return nil
		}
		for {
			if c == '{' {
				if _, err := p.Key(); err != nil {
					return err
				}
			}
			if err := p.Skip(depth + 1); err != nil {
				return err
			}
			more, err := p.AfterMember(closing)
			if err != nil || !more {
				return err
			}
		}
	case c == 't':
		return p.Literal("true")
	case c == 'f':
		return p.Literal("false")
	case c == 'n':
		return p.Literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		_, err := p.Number()
		return err
	}
	return p.Errorf("expected a JSON value, found %s", p.Found())
}

// SkipUnchecked moves past one value that is read with full checks later:
// of an array or object it only matches the brackets and strings.
func (p *Scanner) SkipUnchecked() error {
	c := p.Peek()
	if c != '[' && c != '{' {
		return p.Skip(0)
	}
	depth, s := 0, p.Text
	for i := p.Pos; i < len(s); i++ {
		switch s[i] {
		case '"':
			for i++; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' {
					i++
				}
			}
		case '[', '{':
			depth++
		case ']', '}':
			depth--
			if depth == 0 {
				p.Pos = i + 1
				return nil
			}
		}
	}
	p.Pos = len(s)
	return p.Errorf("unterminated %s", TypeName(c))
}

// AppendCompact appends the JSON text raw, already checked, to dst without
// the whitespace outside its strings.
func AppendCompact(dst []byte, raw string) []byte {
	inString := false
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if inString {
			dst = append(dst, c)
			switch c {
			case '\\':
				i++
				dst = append(dst, raw[i])
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		case '"':
			inString = true
		}
		dst = append(dst, c)
	}
	return dst
}
