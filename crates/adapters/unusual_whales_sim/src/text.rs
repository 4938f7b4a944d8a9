//! Appending numbers to the simulator's JSON text without `core::fmt`.
//!
//! At full speed the simulator shares the benchmark machine's two cores with the client it feeds;
//! `format!` (its `Formatter` plumbing, padding and std's exact float formatting) was the largest
//! item of its profile. These writers produce the same text as the `format!` specs named on each.

/// Appends `v` in decimal (`{v}`).
pub fn push_u64(out: &mut String, mut v: u64) {
    let mut buf = [0_u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        // `v % 10` < 10: the cast cannot truncate.
        #[allow(clippy::cast_possible_truncation)]
        let digit = (v % 10) as u8;
        buf[i] = b'0' + digit;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    push_ascii(out, &buf[i..]);
}

/// Appends `v` in decimal, left-padded with zeros to `width` digits (`{v:0width$}`).
pub fn push_u64_padded(out: &mut String, v: u64, width: usize) {
    let digits = decimal_digits(v);
    for _ in digits..width {
        out.push('0');
    }
    push_u64(out, v);
}

/// Writes the low `slot.len()` hexadecimal digits of `v` (lower case) over `slot`, in place.
pub fn put_hex(slot: &mut [u8], mut v: u64) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for b in slot.iter_mut().rev() {
        // Masked to 4 bits.
        #[allow(clippy::cast_possible_truncation)]
        let nibble = (v & 0xf) as usize;
        *b = HEX[nibble];
        v >>= 4;
    }
}

/// Appends `v` in lower-case hexadecimal, left-padded with zeros to `width` (`{v:0width$x}`).
pub fn push_hex(out: &mut String, v: u64, width: usize) {
    let mut buf = [b'0'; 16];
    put_hex(&mut buf, v);
    let digits = (64 - v.leading_zeros() as usize).div_ceil(4);
    let start = (buf.len() - digits).min(buf.len().saturating_sub(width));
    push_ascii(out, &buf[start..]);
}

/// Appends `value` rounded to `decimals` places (`{value:.decimals$}`) by integer arithmetic;
/// values beyond 1e18 after scaling, and non-finite ones, go through `format!`.
pub fn push_fixed(out: &mut String, value: f64, decimals: u32) {
    let scale = 10_u64.pow(decimals);
    #[allow(clippy::cast_precision_loss)]
    let scaled = (value.abs() * scale as f64).round();
    if !scaled.is_finite() || scaled >= 1e18 {
        out.push_str(&format!("{value:.0$}", decimals as usize));
        return;
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let scaled = scaled as u64;
    if value < 0.0 && scaled != 0 {
        out.push('-');
    }
    push_u64(out, scaled / scale);
    if decimals > 0 {
        out.push('.');
        push_u64_padded(out, scaled % scale, decimals as usize);
    }
}

fn decimal_digits(mut v: u64) -> usize {
    let mut n = 1;
    while v >= 10 {
        v /= 10;
        n += 1;
    }
    n
}

fn push_ascii(out: &mut String, digits: &[u8]) {
    // Only ASCII digits and hex letters reach here.
    out.push_str(std::str::from_utf8(digits).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn text(f: impl FnOnce(&mut String)) -> String {
        let mut s = String::new();
        f(&mut s);
        s
    }

    proptest! {
        #[test]
        fn integers_match_format(v in any::<u64>(), width in 0_usize..24) {
            prop_assert_eq!(text(|s| push_u64(s, v)), format!("{v}"));
            prop_assert_eq!(text(|s| push_u64_padded(s, v, width)), format!("{v:0width$}"));
            let hex_width = width.min(16);
            prop_assert_eq!(text(|s| push_hex(s, v, hex_width)), format!("{v:0hex_width$x}"));
        }

        // The simulator's prices and greeks: magnitudes well inside 1e18 / 10^decimals.
        #[test]
        fn fixed_point_matches_format_away_from_ties(v in -1e9_f64..1e9, decimals in 0_u32..5) {
            let scaled = v.abs() * 10_f64.powi(decimals as i32);
            // std rounds the exact binary value, half to even; integer rounding of the scaled
            // product can differ only within float error of a .5 tie.
            prop_assume!((scaled.fract() - 0.5).abs() > 1e-6);
            // A negative value that rounds to zero prints "-0.00" in std; UW never sends that.
            prop_assume!(v >= 0.0 || scaled.round() >= 1.0);
            prop_assert_eq!(
                text(|s| push_fixed(s, v, decimals)),
                format!("{v:.0$}", decimals as usize)
            );
        }
    }

    #[test]
    fn edge_values() {
        assert_eq!(text(|s| push_u64(s, 0)), "0");
        assert_eq!(text(|s| push_u64(s, u64::MAX)), u64::MAX.to_string());
        assert_eq!(text(|s| push_hex(s, 0, 4)), "0000");
        assert_eq!(text(|s| push_fixed(s, -0.0001, 2)), "0.00");
        assert_eq!(text(|s| push_fixed(s, f64::NAN, 2)), "NaN");
        assert_eq!(text(|s| push_fixed(s, 1e30, 1)), format!("{:.1}", 1e30));
    }
}
