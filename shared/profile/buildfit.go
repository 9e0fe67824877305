package profile

import (
	"context"
	"fmt"
	"slices"

	"github.com/modelwatch/modelwatch/shared/dataset"
	"github.com/modelwatch/modelwatch/shared/multivariate"
)

// startFit starts the multivariate fit's first pass, once the columns'
// roles and kinds are inferred: each feature column gives the fit its
// values as it counts them.
func (b *builder) startFit() {
	if b.opts.Multivariate == nil {
		return
	}
	var specs []multivariate.Spec
	for _, c := range b.cols {
		if c.role != roleFeature {
			continue
		}
		k := multivariate.Numeric
		if c.kind == Categorical {
			k = multivariate.Categorical
		}
		c.fit, c.fitCol = nil, len(specs)
		specs = append(specs, multivariate.Spec{Name: c.name, Kind: k})
	}
	if len(specs) == 0 {
		return
	}
	b.fit = multivariate.NewCollector(specs, b.fitOptions())
	for _, c := range b.cols {
		if c.role == roleFeature {
			c.fit = b.fit
		}
	}
}

// fitOptions are the multivariate options, leaving out the records of
// failed model calls as the profile does.
func (b *builder) fitOptions() multivariate.Options {
	opts := b.opts.Multivariate.Options
	if i := b.errIdx; i >= 0 {
		opts.Skip = func(values []dataset.Value) bool { return i < len(values) && isError(values[i]) }
	}
	return opts
}

// fitModel ends the multivariate fit and attaches the model to p. When the
// features are not those the first pass was given (a column's kind settled
// past the sampled rows, a JSON Lines column first met past them), the fit
// reads the data again. Data that PCA cannot model get a note.
func (b *builder) fitModel(ctx context.Context, p *Profile) error {
	mv := b.opts.Multivariate
	if mv == nil || len(p.Features) == 0 {
		return nil
	}
	specs := p.MultivariateSpecs()
	fit := b.fit
	b.fit = nil
	var (
		m   *multivariate.Model
		err error
	)
	if fit != nil && slices.Equal(fit.Specs(), specs) {
		m, err = fit.Fit(ctx, mv.Reopen)
	} else {
		if fit != nil {
			fit.Close()
		}
		m, err = multivariate.Fit(ctx, mv.Reopen, specs, b.fitOptions())
	}
	if err == nil {
		err = p.SetMultivariate(m)
	}
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("build profile of %s: %w", b.file, ctx.Err())
		}
		p.Notes = append(p.Notes, fmt.Sprintf("no multivariate model: profile %s: %v", b.file, err))
	}
	return nil
}
