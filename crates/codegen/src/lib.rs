//! The kernel crates' limits and shared constants, rendered as TypeScript.
//!
//! Every constant the TS layer duplicates is defined once, in Rust; this
//! crate renders them as `ts/limits.generated.ts` (see [`render`]), `main`
//! writes the file, and a test fails when the committed file is stale.

use fastkernels_common::js_number;

/// Where the generated file lives, relative to the workspace root.
pub const OUTPUT_PATH: &str = "ts/limits.generated.ts";

/// The command that rewrites the file.
pub const COMMAND: &str = "cargo run -p fastkernels-codegen";

/// A constant's value: integers render without a fraction (and must be
/// exact in a double, at most 2^53), floats as JavaScript prints them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    Int(u64),
    Float(f64),
}

/// One exported constant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Constant {
    pub name: &'static str,
    pub value: Value,
    pub doc: &'static str,
}

/// Largest integer every double above it would round: 2^53.
pub const MAX_EXACT_INTEGER: u64 = 1 << 53;

fn int(name: &'static str, value: usize, doc: &'static str) -> Constant {
    Constant {
        name,
        value: Value::Int(value as u64),
        doc,
    }
}

fn float(name: &'static str, value: f64, doc: &'static str) -> Constant {
    Constant {
        name,
        value: Value::Float(value),
        doc,
    }
}

/// Every constant of the generated file, in file order.
pub fn constants() -> Vec<Constant> {
    use fastkernels_color as color;
    use fastkernels_common as common;
    use fastkernels_gmm as gmm;
    use fastkernels_mds as mds;
    use fastkernels_polygon as polygon;
    vec![
        int(
            "MAX_THREADS",
            common::MAX_THREADS as usize,
            "Largest `threads` value of the native backend (one pool per distinct value is kept).",
        ),
        int(
            "MAX_OUTPUT_ELEMENTS",
            common::MAX_OUTPUT_ELEMENTS,
            "Most elements of one output array: the longest typed array Node can create (2^32). Bounds N x K planes, N x k neighbours, n x n matrices, n x dims embeddings and width x height images.",
        ),
        int(
            "GMM_MAX_ITERATIONS",
            gmm::MAX_ITERATIONS,
            "Most EM iterations of `fitGmm` (`options.iterations`).",
        ),
        int(
            "GMM_MAX_COMPONENTS",
            gmm::MAX_COMPONENTS,
            "Most mixture components K (`options.components`, model and per-sample kernel weights).",
        ),
        int(
            "GMM_MAX_LABELS",
            gmm::MAX_LABELS,
            "Most components of a model given to `predictGmm`: its labels are bytes.",
        ),
        float(
            "GMM_DEFAULT_VARIANCE_FLOOR",
            gmm::DEFAULT_VARIANCE_FLOOR,
            "Default `options.varianceFloor` of `fitGmm`.",
        ),
        float(
            "GMM_EMPTY_MASS",
            gmm::EMPTY_MASS,
            "Below this responsibility mass a component captured no samples and keeps its mean and variance.",
        ),
        int(
            "GMM_SAMPLE_CHUNK",
            gmm::SAMPLE_CHUNK,
            "Samples per parallel task of the per-sample GMM kernels (fixed, so results never depend on threads).",
        ),
        int(
            "GMM_PASS_CHUNK",
            gmm::PASS_CHUNK,
            "Samples per chunk of the fused EM pass; partial sums are combined in chunk order.",
        ),
        int(
            "GMM_MAX_DIMS",
            gmm::multivariate::MAX_DIMS,
            "Most model dimensions d of a multivariate mixture (`options.columns.length`, `model.dims`).",
        ),
        int(
            "GMM_STATS_CHUNK",
            gmm::multivariate::STATS_CHUNK,
            "Rows per chunk of the multivariate GMM statistics, aligned to the global row index: shards starting at multiples of it merge bit for bit.",
        ),
        int(
            "MDS_MAX_ITERATIONS",
            mds::MAX_ITERATIONS,
            "Most SMACOF iterations (`options.maxIter`).",
        ),
        int(
            "MDS_MAX_OUTPUT_DIMS",
            mds::MAX_OUTPUT_DIMS,
            "Most output dimensions of an embedding (`options.dims`).",
        ),
        int(
            "MDS_MAX_INPUT_DIMS",
            mds::MAX_INPUT_DIMS,
            "Most coordinates per input point of the distance kernels (`dims`).",
        ),
        int(
            "MDS_MAX_N_INIT",
            mds::MAX_N_INIT,
            "Most random SMACOF starts (`options.nInit`).",
        ),
        int(
            "MAX_MATRIX_ELEMENTS",
            mds::MAX_MATRIX_ELEMENTS,
            "Largest n*n of an n x n matrix (n <= 65536).",
        ),
        float(
            "SYMMETRY_TOLERANCE",
            mds::SYMMETRY_TOLERANCE,
            "Dissimilarities must satisfy |a_ij - a_ji| <= SYMMETRY_TOLERANCE * max(1, |a_ij|, |a_ji|).",
        ),
        int(
            "POLYGON_MAX_NEIGHBORS",
            polygon::MAX_NEIGHBORS,
            "Largest `k` of `PolygonIndex#nearest` (and N x k <= MAX_OUTPUT_ELEMENTS).",
        ),
        int(
            "POLYGON_MAX_POINTS",
            polygon::MAX_POINTS,
            "Most query points of one polygon query.",
        ),
        int(
            "POLYGON_POINT_CHUNK",
            polygon::POINT_CHUNK,
            "Points per parallel work item of a polygon query; a query over at most this many runs on the calling thread.",
        ),
        int(
            "POLYGON_BUILD_CHUNK",
            polygon::BUILD_CHUNK,
            "Polygons per parallel work item when building an index.",
        ),
        int(
            "COLOR_MAX_DIMENSION",
            color::MAX_DIMENSION,
            "Largest `width` or `height` of `cie94Difference`.",
        ),
    ]
}

/// A value as a TS literal that JavaScript parses back to the same double.
///
/// # Panics
/// For an integer above 2^53 (not exact in a double) or a non-finite float.
pub fn literal(value: Value) -> String {
    match value {
        Value::Int(i) => {
            assert!(
                i <= MAX_EXACT_INTEGER,
                "{i} is not exactly representable in JavaScript"
            );
            i.to_string()
        }
        Value::Float(f) => {
            assert!(f.is_finite(), "{f} has no TS literal");
            js_number(f)
        }
    }
}

/// The text of `ts/limits.generated.ts`.
pub fn render() -> String {
    let mut out = format!(
        "// generated by crates/codegen; do not edit; `{COMMAND}` rewrites it.\n\
         // Limits and shared constants of the native kernels, defined once in Rust.\n"
    );
    for c in constants() {
        out.push_str(&format!(
            "\n/** {} */\nexport const {} = {};\n",
            c.doc,
            c.name,
            literal(c.value)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_parse_back_to_the_same_double() {
        assert_eq!(literal(Value::Int(4_294_967_296)), "4294967296");
        assert_eq!(literal(Value::Int(MAX_EXACT_INTEGER)), "9007199254740992");
        assert_eq!(literal(Value::Float(1e-12)), "1e-12");
        assert_eq!(literal(Value::Float(1e-9)), "1e-9");
        assert_eq!(literal(Value::Float(1e-300)), "1e-300");
        assert_eq!(literal(Value::Float(0.5)), "0.5");
        for c in constants() {
            let text = literal(c.value);
            let parsed: f64 = text.parse().unwrap();
            match c.value {
                Value::Int(i) => {
                    assert!(!text.contains(['.', 'e']), "{}: {text}", c.name);
                    assert_eq!(parsed as u64, i, "{}", c.name);
                }
                Value::Float(f) => assert_eq!(parsed.to_bits(), f.to_bits(), "{}", c.name),
            }
        }
    }

    #[test]
    #[should_panic(expected = "not exactly representable")]
    fn integers_above_2_53_are_refused() {
        literal(Value::Int(MAX_EXACT_INTEGER + 1));
    }

    #[test]
    fn names_are_unique_and_docs_are_single_line() {
        let all = constants();
        for (i, c) in all.iter().enumerate() {
            assert!(all[..i].iter().all(|d| d.name != c.name), "{}", c.name);
            assert!(!c.doc.contains('\n') && !c.doc.contains("*/"), "{}", c.name);
        }
    }

    #[test]
    fn the_committed_file_is_up_to_date() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(OUTPUT_PATH);
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == render(),
            "{OUTPUT_PATH} is stale or missing: run `{COMMAND}` and commit the result"
        );
    }
}
