namespace EcgStream.Synthetic.Model;

/// <summary>
/// A cardiac dipole vector in Frank's orthogonal coordinates, millivolts: X right→left, Y head→feet,
/// Z front→back (the convention of the Dower matrix, see <see cref="LeadProjection"/>).
/// </summary>
internal readonly record struct Vec3(double X, double Y, double Z)
{
    public static Vec3 operator +(Vec3 a, Vec3 b) => new(a.X + b.X, a.Y + b.Y, a.Z + b.Z);
    public static Vec3 operator -(Vec3 a) => new(-a.X, -a.Y, -a.Z);
    public static Vec3 operator *(double k, Vec3 a) => new(k * a.X, k * a.Y, k * a.Z);
    public double Norm => Math.Sqrt(X * X + Y * Y + Z * Z);
    public Vec3 Unit => (1 / Norm) * this;

    /// <summary>A random unit vector, uniform on the sphere.</summary>
    public static Vec3 RandomUnit(Rng rng)
    {
        double z = rng.Uniform(-1, 1), a = rng.Uniform(0, 2 * Math.PI), r = Math.Sqrt(1 - z * z);
        return new Vec3(r * Math.Cos(a), r * Math.Sin(a), z);
    }
}

/// <summary>A 3×3 rotation (row-major), applied to every dipole vector of a patient.</summary>
internal readonly struct Rotation3
{
    private readonly double _m00, _m01, _m02, _m10, _m11, _m12, _m20, _m21, _m22;

    private Rotation3(double m00, double m01, double m02, double m10, double m11, double m12, double m20, double m21, double m22)
    {
        _m00 = m00; _m01 = m01; _m02 = m02; _m10 = m10; _m11 = m11; _m12 = m12; _m20 = m20; _m21 = m21; _m22 = m22;
    }

    public static Rotation3 Identity => new(1, 0, 0, 0, 1, 0, 0, 0, 1);

    /// <summary>Rotation by <paramref name="radians"/> about Z: turns the frontal-plane (X, Y) axis.</summary>
    public static Rotation3 AboutZ(double radians)
    {
        double c = Math.Cos(radians), s = Math.Sin(radians);
        return new(c, -s, 0, s, c, 0, 0, 0, 1);
    }

    /// <summary>Rotation about X: tilts the heart's axis toward front or back.</summary>
    public static Rotation3 AboutX(double radians)
    {
        double c = Math.Cos(radians), s = Math.Sin(radians);
        return new(1, 0, 0, 0, c, -s, 0, s, c);
    }

    /// <summary>Rotation about Y: turns the horizontal-plane (X, Z) axis (clockwise/counter-clockwise heart rotation).</summary>
    public static Rotation3 AboutY(double radians)
    {
        double c = Math.Cos(radians), s = Math.Sin(radians);
        return new(c, 0, s, 0, 1, 0, -s, 0, c);
    }

    public static Rotation3 operator *(Rotation3 a, Rotation3 b) => new(
        a._m00 * b._m00 + a._m01 * b._m10 + a._m02 * b._m20, a._m00 * b._m01 + a._m01 * b._m11 + a._m02 * b._m21, a._m00 * b._m02 + a._m01 * b._m12 + a._m02 * b._m22,
        a._m10 * b._m00 + a._m11 * b._m10 + a._m12 * b._m20, a._m10 * b._m01 + a._m11 * b._m11 + a._m12 * b._m21, a._m10 * b._m02 + a._m11 * b._m12 + a._m12 * b._m22,
        a._m20 * b._m00 + a._m21 * b._m10 + a._m22 * b._m20, a._m20 * b._m01 + a._m21 * b._m11 + a._m22 * b._m21, a._m20 * b._m02 + a._m21 * b._m12 + a._m22 * b._m22);

    public Vec3 Apply(Vec3 v) => new(
        _m00 * v.X + _m01 * v.Y + _m02 * v.Z,
        _m10 * v.X + _m11 * v.Y + _m12 * v.Z,
        _m20 * v.X + _m21 * v.Y + _m22 * v.Z);
}
