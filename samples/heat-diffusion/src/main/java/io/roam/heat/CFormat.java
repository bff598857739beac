package io.roam.heat;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * C's {@code printf} conversions {@code %.Nf}, {@code %.Ne} and {@code %.Ng} for doubles, digit
 * for digit as glibc prints them: from the exact binary value, rounded half to even. Java's
 * {@link String#format} differs ({@code %g} keeps trailing zeros and switches to exponent form
 * at other thresholds; rounding starts from the shortest decimal form, half up), and the Java
 * heat sample must print the very line the C sample prints.
 */
final class CFormat {
    private CFormat() {
    }

    /** {@code %.{precision}f}. */
    static String f(double v, int precision) {
        String special = special(v);
        if (special != null) {
            return special;
        }
        BigDecimal d = new BigDecimal(Math.abs(v)).setScale(precision, RoundingMode.HALF_EVEN);
        return sign(v) + d.toPlainString();
    }

    /** {@code %.{precision}e}. */
    static String e(double v, int precision) {
        String special = special(v);
        if (special != null) {
            return special;
        }
        Sci s = sci(Math.abs(v), precision);
        StringBuilder b = new StringBuilder(sign(v)).append(s.digits.charAt(0));
        if (precision > 0) {
            b.append('.').append(s.digits, 1, precision + 1);
        }
        return b.append(exponent(s.exp)).toString();
    }

    /** {@code %.{precision}g}. */
    static String g(double v, int precision) {
        String special = special(v);
        if (special != null) {
            return special;
        }
        int p = precision == 0 ? 1 : precision;
        int x = sci(Math.abs(v), p - 1).exp;
        String out = (p > x && x >= -4) ? f(v, p - 1 - x) : e(v, p - 1);
        return stripZeros(out);
    }

    /** {@code %016x} of an unsigned 64-bit value. */
    static String hex16(long v) {
        String h = Long.toHexString(v);
        return "0".repeat(16 - h.length()) + h;
    }

    private record Sci(String digits, int exp) {
    }

    /** precision + 1 significant digits and the decimal exponent of a non-negative value. */
    private static Sci sci(double a, int precision) {
        if (a == 0) {
            return new Sci("0".repeat(precision + 1), 0);
        }
        BigDecimal r = new BigDecimal(a).round(new MathContext(precision + 1, RoundingMode.HALF_EVEN));
        String digits = r.unscaledValue().toString();
        int exp = digits.length() - 1 - r.scale();
        if (digits.length() < precision + 1) {
            digits = digits + "0".repeat(precision + 1 - digits.length());
        } else if (digits.length() > precision + 1) {
            digits = digits.substring(0, precision + 1);   // trailing zeros of an exact value
        }
        return new Sci(digits, exp);
    }

    private static String exponent(int exp) {
        String e = Integer.toString(Math.abs(exp));
        return "e" + (exp < 0 ? '-' : '+') + (e.length() < 2 ? "0" + e : e);
    }

    private static String stripZeros(String s) {
        int e = s.indexOf('e');
        String mant = e < 0 ? s : s.substring(0, e);
        String rest = e < 0 ? "" : s.substring(e);
        if (mant.indexOf('.') >= 0) {
            mant = mant.replaceAll("0+$", "");
            if (mant.endsWith(".")) {
                mant = mant.substring(0, mant.length() - 1);
            }
        }
        return mant + rest;
    }

    private static String sign(double v) {
        return (Double.doubleToRawLongBits(v) < 0) ? "-" : "";
    }

    private static String special(double v) {
        if (Double.isNaN(v)) {
            return sign(v) + "nan";
        }
        if (Double.isInfinite(v)) {
            return v < 0 ? "-inf" : "inf";
        }
        return null;
    }
}
