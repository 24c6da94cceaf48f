// Package is estimates normalising constants by importance sampling:
// log Z = log ∫ p̃(x) dx from draws x ~ q of a proposal q whose density is
// known, as the log of the mean weight w = p̃(x)/q(x), with its standard
// error (delta method) and the effective sample size (Σw)²/Σw² (Kong 1992).
//
// A proposal is anything that draws points with their log-densities: a
// normalizing flow (Flow), a Gaussian fitted by moment matching (Gaussian)
// or any dist.Distribution (Dist). The better q matches p̃/Z, the closer the
// weights are to equal and the larger the effective sample size: with q
// exactly p the estimate is exact and the ESS is the number of draws.
//
// The package lives beside core/flow rather than inside it because the
// estimator knows no model family: a flow is one proposal among others.
package is
