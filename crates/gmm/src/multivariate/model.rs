//! The multivariate model and data types, and their checks (shapes, limits,
//! values), in the TS layer's order and words.

use rayon::prelude::*;

use fastkernels_common::alloc::{collected, copied};
use fastkernels_common::limits::{at_most, output_elements};

use crate::error::GmmError;
use crate::fit::Samples;
use crate::lanes::{Lane, LANES};
use crate::mixture::{check_length, check_means, check_scales, check_weights, MAX_COMPONENTS};

/// Most model dimensions d (`options.columns.length`, `model.dims`).
/// A full covariance is d x d per component and a row's work is O(K d^2),
/// so 1024 is far beyond any colour or feature space this package serves.
pub const MAX_DIMS: usize = 1024;

/// scikit-learn's `covariance_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CovarianceType {
    Full,
    Diag,
    Spherical,
    Tied,
}

impl CovarianceType {
    /// Parses `'full' | 'diag' | 'spherical' | 'tied'`; `name` is the argument.
    pub fn parse(name: &'static str, value: &str) -> Result<Self, GmmError> {
        match value {
            "full" => Ok(Self::Full),
            "diag" => Ok(Self::Diag),
            "spherical" => Ok(Self::Spherical),
            "tied" => Ok(Self::Tied),
            _ => Err(GmmError::BadCovarianceType {
                name,
                value: value.to_string(),
            }),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Full => "full",
            Self::Diag => "diag",
            Self::Spherical => "spherical",
            Self::Tied => "tied",
        }
    }

    /// Length of the model's `covariances`: K d^2, K d, K or d^2.
    pub fn covariances_len(self, k: usize, d: usize) -> usize {
        match self {
            Self::Full => k * d * d,
            Self::Diag => k * d,
            Self::Spherical => k,
            Self::Tied => d * d,
        }
    }

    /// Length of a chunk partial's `sumXX`: K d^2 (full), K d (diag,
    /// spherical), d^2 (tied).
    pub fn sum_xx_len(self, k: usize, d: usize) -> usize {
        match self {
            Self::Full => k * d * d,
            Self::Diag | Self::Spherical => k * d,
            Self::Tied => d * d,
        }
    }

    fn layout(self) -> &'static str {
        match self {
            Self::Full => "K × dims × dims for covariance 'full'",
            Self::Diag => "K × dims for covariance 'diag'",
            Self::Spherical => "K for covariance 'spherical'",
            Self::Tied => "dims × dims for covariance 'tied'",
        }
    }
}

/// The shape of a model: covariance type, K components, d dimensions
/// (checked against the limits, with `K d^2` at most one typed array).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    pub covariance: CovarianceType,
    pub components: usize,
    pub dims: usize,
}

/// The argument names of a model's errors (`model.weights`, `options.init.means`, ...).
#[derive(Debug, Clone, Copy)]
pub struct ModelNames {
    pub model: &'static str,
    pub covariance: &'static str,
    pub dims: &'static str,
    pub weights: &'static str,
    pub weights_length: &'static str,
    pub means: &'static str,
    pub covariances: &'static str,
}

/// A model given to prediction, statistics or the M-step (`model.*`).
pub const MODEL: ModelNames = ModelNames {
    model: "model",
    covariance: "model.covariance",
    dims: "model.dims",
    weights: "model.weights",
    weights_length: "model.weights.length",
    means: "model.means",
    covariances: "model.covariances",
};

/// The explicit initial model of a fit (`options.init.*`).
pub const INIT: ModelNames = ModelNames {
    model: "options.init",
    covariance: "options.covariance",
    dims: "options.init.dims",
    weights: "options.init.weights",
    weights_length: "options.init.weights.length",
    means: "options.init.means",
    covariances: "options.init.covariances",
};

impl Shape {
    /// Checks K (1..=GMM_MAX_COMPONENTS), d (1..=GMM_MAX_DIMS) and the
    /// covariance array size, all O(1), before anything is allocated.
    pub fn new(
        names: ModelNames,
        covariance: &str,
        components: usize,
        dims: usize,
    ) -> Result<Self, GmmError> {
        let covariance = CovarianceType::parse(names.covariance, covariance)?;
        if components == 0 {
            return Err(GmmError::NoComponents {
                name: names.weights,
            });
        }
        at_most(
            names.weights_length,
            components,
            MAX_COMPONENTS,
            "GMM_MAX_COMPONENTS",
        )?;
        if dims == 0 {
            return Err(GmmError::IntegerRange {
                name: names.dims.to_string(),
                value: 0.0,
                min: 1,
                max: MAX_DIMS,
            });
        }
        at_most(names.dims, dims, MAX_DIMS, "GMM_MAX_DIMS")?;
        // The largest per-model array must fit in one typed array: K d^2
        // (full covariances), else K d (means); d^2 <= 2^20 always fits.
        match covariance {
            CovarianceType::Full => {
                output_elements("K", components, "dims × dims", dims * dims, "values")?
            }
            _ => output_elements("K", components, "dims", dims, "values")?,
        };
        Ok(Self {
            covariance,
            components,
            dims,
        })
    }

    pub fn covariances_len(&self) -> usize {
        self.covariance.covariances_len(self.components, self.dims)
    }

    /// `2 + K + K d + S`: the length of one chunk partial.
    pub fn stride(&self) -> usize {
        let (k, d) = (self.components, self.dims);
        2 + k + k * d + self.covariance.sum_xx_len(k, d)
    }
}

/// A Gaussian mixture in d dimensions: weights (K), means (K x d row-major),
/// covariances as scikit-learn stores them for the covariance type.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub shape: Shape,
    pub weights: Vec<f64>,
    pub means: Vec<f64>,
    pub covariances: Vec<f64>,
}

impl Model {
    /// Checks a caller's model: shape and limits, array lengths, weights
    /// (finite, >= 0, not all zero), means finite, covariances finite
    /// (diagonal and spherical: > 0). Positive definiteness is checked when
    /// the precision Cholesky is computed ([`crate::multivariate::Density`]).
    pub fn checked(
        names: ModelNames,
        covariance: &str,
        dims: usize,
        weights: &[f64],
        means: &[f64],
        covariances: &[f64],
    ) -> Result<Self, GmmError> {
        let shape = Shape::new(names, covariance, weights.len(), dims)?;
        let k = shape.components;
        check_length(names.means, means, k * dims, || {
            format!("K × dims = {k} × {dims}, like {}", names.weights)
        })?;
        check_length(
            names.covariances,
            covariances,
            shape.covariances_len(),
            || shape.covariance.layout().to_string(),
        )?;
        check_weights(names.weights, weights)?;
        check_means(names.means, means)?;
        match shape.covariance {
            CovarianceType::Diag | CovarianceType::Spherical => {
                check_scales(names.covariances, covariances)?
            }
            CovarianceType::Full | CovarianceType::Tied => {
                check_means(names.covariances, covariances)?
            }
        }
        Ok(Self {
            shape,
            weights: copied(weights, "the model weights")?,
            means: copied(means, "the model means")?,
            covariances: copied(covariances, "the model covariances")?,
        })
    }

    pub fn components(&self) -> usize {
        self.shape.components
    }

    pub fn dims(&self) -> usize {
        self.shape.dims
    }
}

/// The value of an 8-bit sample, `v / 255` (as the 1-D path).
fn byte_table() -> [f64; 256] {
    std::array::from_fn(|v| v as f64 / 255.0)
}

/// N rows of `row_width` values (float or 8-bit), the `columns` the model
/// uses (d of them) and optional per-row weights.
#[derive(Debug, Clone)]
pub struct MvData<'a> {
    samples: Samples<'a>,
    row_width: usize,
    columns: Vec<usize>,
    weights: Option<&'a [f64]>,
    rows: usize,
    bytes: [f64; 256],
    /// Whether every value and weight has been checked (see [`MvData::unscanned`]).
    scanned: bool,
}

impl<'a> MvData<'a> {
    /// Checks the layout in the TS layer's order: `dims` (the row width) at
    /// least 1, the columns (1..=GMM_MAX_DIMS of them, each below dims), the
    /// data length a multiple of dims, every value finite, then
    /// `sampleWeight` (one finite value, at least 0, per row). Empty data is
    /// allowed here (a shard may be empty); the fit refuses it.
    pub fn new(
        samples: Samples<'a>,
        row_width: usize,
        columns: &[u32],
        sample_weight: Option<&'a [f64]>,
    ) -> Result<Self, GmmError> {
        let mut data = Self::unscanned(samples, row_width, columns, sample_weight)?;
        data.check_values()?;
        data.scanned = true;
        Ok(data)
    }

    /// The checks of [`MvData::new`] but the O(N) scan of the values and
    /// weights. For a kernel that reads every row anyway: it checks each
    /// chunk as it goes ([`MvData::chunk_is_clean`], while the rows are in
    /// cache) and, at a bad one, returns [`MvData::check_values`]' error, so
    /// the errors and their order are those of `new`. A sharded fit calls the
    /// statistics kernel every round on the same rows: a separate scan would
    /// read them from memory twice per round.
    pub fn unscanned(
        samples: Samples<'a>,
        row_width: usize,
        columns: &[u32],
        sample_weight: Option<&'a [f64]>,
    ) -> Result<Self, GmmError> {
        if row_width == 0 {
            return Err(GmmError::BadOption {
                name: "options.dims",
                value: 0.0,
                domain: "an integer >= 1",
            });
        }
        if columns.is_empty() {
            return Err(GmmError::EmptyData {
                name: "options.columns",
                kind: "Array",
            });
        }
        at_most(
            "options.columns.length",
            columns.len(),
            MAX_DIMS,
            "GMM_MAX_DIMS",
        )?;
        if let Some((i, &c)) = columns
            .iter()
            .enumerate()
            .find(|(_, &c)| c as usize >= row_width)
        {
            return Err(GmmError::IntegerRange {
                name: format!("options.columns[{i}]"),
                value: f64::from(c),
                min: 0,
                max: row_width - 1,
            });
        }
        let length = samples.len();
        if !length.is_multiple_of(row_width) {
            return Err(GmmError::RaggedData { length, row_width });
        }
        let rows = length / row_width;
        if let Some(w) = sample_weight {
            if w.len() != rows {
                // `new` reports non-finite data before the weights' length.
                if let Samples::Values(x) = samples {
                    check_finite("data", x)?;
                }
            }
            check_length("sampleWeight", w, rows, || {
                format!("one value per row of data, N = {rows}")
            })?;
        }
        Ok(Self {
            samples,
            row_width,
            columns: collected(
                columns.len(),
                columns.iter().map(|&c| c as usize),
                "the columns",
            )?,
            weights: sample_weight,
            rows,
            bytes: byte_table(),
            scanned: false,
        })
    }

    /// Every value finite, then every weight finite and at least 0 (the
    /// first offender of each by index, data first).
    pub fn check_values(&self) -> Result<(), GmmError> {
        if let Samples::Values(x) = self.samples {
            check_finite("data", x)?;
        }
        if let Some((index, &value)) = self
            .weights
            .unwrap_or_default()
            .iter()
            .enumerate()
            .find(|(_, w)| !valid_weight(**w))
        {
            return Err(GmmError::BadWeight {
                name: "sampleWeight",
                index,
                value,
            });
        }
        Ok(())
    }

    /// Whether rows `[first, first + len)` hold only finite values and
    /// valid weights (true without looking once the data is scanned).
    pub(crate) fn chunk_is_clean(&self, first: usize, len: usize) -> bool {
        if self.scanned {
            return true;
        }
        let values = match self.samples {
            Samples::Values(x) => x[first * self.row_width..(first + len) * self.row_width]
                .iter()
                .all(|v| v.is_finite()),
            Samples::Bytes(_) => true,
        };
        values
            && self
                .weights
                .is_none_or(|w| w[first..first + len].iter().all(|&w| valid_weight(w)))
    }

    /// Number of rows N.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The typed-array name of the data, for the empty-data error.
    pub fn kind(&self) -> &'static str {
        match self.samples {
            Samples::Values(_) => "Float64Array",
            Samples::Bytes(_) => "Uint8Array",
        }
    }

    /// The model dimension d (number of columns used).
    pub fn dims(&self) -> usize {
        self.columns.len()
    }

    /// The weight of row `i` (1 without `sampleWeight`).
    #[inline(always)]
    pub fn weight(&self, i: usize) -> f64 {
        match self.weights {
            Some(w) => w[i],
            None => 1.0,
        }
    }

    /// `sum_i w_i > 0`, else the all-zeros error (for a fit).
    pub fn check_weight_mass(&self) -> Result<(), GmmError> {
        match self.weights {
            Some(w) if w.iter().all(|&v| v == 0.0) => Err(GmmError::AllWeightsZero {
                name: "sampleWeight",
            }),
            _ => Ok(()),
        }
    }

    /// The used columns of row `i` into `x` (length d).
    #[inline(always)]
    pub fn row(&self, i: usize, x: &mut [f64]) {
        let start = i * self.row_width;
        match self.samples {
            Samples::Values(v) => {
                let row = &v[start..start + self.row_width];
                for (xj, &c) in x.iter_mut().zip(&self.columns) {
                    *xj = row[c];
                }
            }
            Samples::Bytes(b) => {
                let row = &b[start..start + self.row_width];
                for (xj, &c) in x.iter_mut().zip(&self.columns) {
                    *xj = self.bytes[row[c] as usize];
                }
            }
        }
    }

    /// The used columns, as the block loaders take them.
    pub(crate) fn columns(&self) -> &[usize] {
        &self.columns
    }

    /// Rows `[first, first + n)` (`1 <= n <= LANES`) transposed into lanes:
    /// `x[j][l]` is column `cols[j]` of row `first + l` (`cols` is
    /// [`MvData::columns`], passed in so a caller can fix its length). Lanes
    /// past `n` repeat the first row with weight 0, so they contribute exact
    /// zeros to any weighted sum. The lanes' weights go to `w` (written
    /// whole, not lane by lane: a vector read of them soon after must not
    /// wait for eight scalar stores).
    #[inline(always)]
    pub(crate) fn block(
        &self,
        cols: &[usize],
        first: usize,
        n: usize,
        x: &mut [Lane],
        w: &mut Lane,
    ) {
        let rw = self.row_width;
        if n == LANES {
            let rows = first * rw..(first + LANES) * rw;
            match self.samples {
                Samples::Values(v) => {
                    let blk = &v[rows];
                    for (xj, &c) in x.iter_mut().zip(cols) {
                        for l in 0..LANES {
                            xj[l] = blk[l * rw + c];
                        }
                    }
                }
                Samples::Bytes(b) => {
                    let blk = &b[rows];
                    for (xj, &c) in x.iter_mut().zip(cols) {
                        for l in 0..LANES {
                            xj[l] = self.bytes[blk[l * rw + c] as usize];
                        }
                    }
                }
            }
            match self.weights {
                Some(weights) => w.copy_from_slice(&weights[first..first + LANES]),
                None => *w = [1.0; LANES],
            }
            return;
        }
        let mut lanes = [0.0; LANES];
        for l in 0..LANES {
            let i = first + if l < n { l } else { 0 };
            let start = i * rw;
            match self.samples {
                Samples::Values(v) => {
                    let row = &v[start..start + rw];
                    for (xj, &c) in x.iter_mut().zip(cols) {
                        xj[l] = row[c];
                    }
                }
                Samples::Bytes(b) => {
                    let row = &b[start..start + rw];
                    for (xj, &c) in x.iter_mut().zip(cols) {
                        xj[l] = self.bytes[row[c] as usize];
                    }
                }
            }
            lanes[l] = if l < n { self.weight(i) } else { 0.0 };
        }
        *w = lanes;
    }

    /// The model's d equals the number of columns used.
    pub fn check_model(&self, names: ModelNames, shape: &Shape) -> Result<(), GmmError> {
        if shape.dims == self.dims() {
            Ok(())
        } else {
            Err(GmmError::Mismatch {
                name: names.dims,
                what: format!(
                    "must equal the number of columns used ({} = options.columns.length, or dims), got {}",
                    self.dims(),
                    shape.dims
                ),
            })
        }
    }
}

fn valid_weight(w: f64) -> bool {
    w.is_finite() && w >= 0.0
}

/// Every value finite (the first offender by index), scanned in parallel.
pub(crate) fn check_finite(name: &'static str, x: &[f64]) -> Result<(), GmmError> {
    const SCAN: usize = 1 << 16;
    let bad = x
        .par_chunks(SCAN)
        .enumerate()
        .find_first(|(_, c)| c.iter().any(|v| !v.is_finite()));
    if let Some((c, chunk)) = bad {
        if let Some((i, &value)) = chunk.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(GmmError::NonFiniteData {
                name,
                index: c * SCAN + i,
                value,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_refused_before_anything_is_allocated() {
        let e = Shape::new(MODEL, "full", MAX_COMPONENTS + 1, 2).unwrap_err();
        assert_eq!(
            e.to_string(),
            "model.weights.length must be at most 65536 (GMM_MAX_COMPONENTS), got 65537"
        );
        let e = Shape::new(MODEL, "full", 2, MAX_DIMS + 1).unwrap_err();
        assert_eq!(
            e.to_string(),
            "model.dims must be at most 1024 (GMM_MAX_DIMS), got 1025"
        );
        let e = Shape::new(MODEL, "full", MAX_COMPONENTS, MAX_DIMS).unwrap_err();
        assert!(e
            .to_string()
            .starts_with("K × dims × dims = 65536 × 1048576 = 68719476736 values would exceed"));
        let e = Shape::new(MODEL, "round", 1, 1).unwrap_err();
        assert_eq!(
            e.to_string(),
            "model.covariance must be one of 'full', 'diag', 'spherical', 'tied', got \"round\""
        );
        let cols: Vec<u32> = (0..MAX_DIMS as u32 + 1).collect();
        let data = vec![0.0; MAX_DIMS + 1];
        let e = MvData::new(Samples::Values(&data), MAX_DIMS + 1, &cols, None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "options.columns.length must be at most 1024 (GMM_MAX_DIMS), got 1025"
        );
    }

    #[test]
    fn data_and_weights_are_checked() {
        let x = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0];
        let e = MvData::new(Samples::Values(&x), 3, &[0, 1, 2], None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "data.length must be a multiple of dims = 3, got 10"
        );
        let e = MvData::new(Samples::Values(&x[..9]), 3, &[0, 3], None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "options.columns[1] must be an integer from 0 to 2, got 3"
        );
        let mut y = x;
        y[4] = f64::NAN;
        let e = MvData::new(Samples::Values(&y), 2, &[0, 1], None).unwrap_err();
        assert_eq!(e.to_string(), "data[4] must be a finite number, got NaN");
        let w = [1.0, -1.0, 1.0, 1.0, 1.0];
        let e = MvData::new(Samples::Values(&x), 2, &[0, 1], Some(&w)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "sampleWeight[1] must be a finite number >= 0, got -1"
        );
        let w = [0.0; 5];
        let data = MvData::new(Samples::Values(&x), 2, &[0, 1], Some(&w)).unwrap();
        assert_eq!(
            data.check_weight_mass().unwrap_err().to_string(),
            "sampleWeight must contain at least one value > 0, got all zeros"
        );
        let e = MvData::new(Samples::Values(&x), 2, &[0, 1], Some(&w[..4])).unwrap_err();
        assert_eq!(
            e.to_string(),
            "sampleWeight must have length 5 (one value per row of data, N = 5), got length 4"
        );
        let bytes = [0u8, 255, 51, 7];
        let data = MvData::new(Samples::Bytes(&bytes), 4, &[2, 1], None).unwrap();
        let mut row = [0.0; 2];
        data.row(0, &mut row);
        assert_eq!(row, [0.2, 1.0]);
    }

    #[test]
    fn model_values_are_checked() {
        let e = Model::checked(MODEL, "diag", 2, &[1.0], &[0.0, 0.0], &[1.0, 0.0]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "model.covariances[1] must be a finite number > 0, got 0"
        );
        let e = Model::checked(MODEL, "full", 2, &[1.0], &[0.0], &[1.0; 4]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "model.means must have length 2 (K × dims = 1 × 2, like model.weights), got length 1"
        );
        let e = Model::checked(MODEL, "tied", 2, &[1.0, 1.0], &[0.0; 4], &[1.0; 3]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "model.covariances must have length 4 (dims × dims for covariance 'tied'), got length 3"
        );
        let e = Model::checked(MODEL, "full", 1, &[0.0], &[0.0], &[1.0]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "model.weights must contain at least one value > 0, got all zeros"
        );
    }
}
