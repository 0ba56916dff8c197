namespace Tessera.Imaging.Sources;

/// <summary>
/// Which world axis (0 = right, 1 = anterior, 2 = superior: NIfTI's RAS+) each voxel axis runs along, and in which
/// direction, from the header's sform (preferred) or qform: the nearest world axis of each column of the rotation.
/// An oblique volume is shown cut along its nearest axes; one whose voxel axes do not map to three different world
/// axes has no orientation (and is shown in voxel order).
/// </summary>
public sealed record NiftiOrientation(int[] WorldOfVoxel, int[] SignOfVoxel)
{
    /// <param name="matrix">The 3 × 3 rotation (or scaled rotation) from voxel to world, row by world axis.</param>
    public static NiftiOrientation? FromMatrix(double[,] matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        var world = new int[3];
        var sign = new int[3];
        for (var voxel = 0; voxel < 3; voxel++)
        {
            var best = -1;
            for (var axis = 0; axis < 3; axis++)
            {
                if (!double.IsFinite(matrix[axis, voxel]))
                    return null;
                if (best < 0 || Math.Abs(matrix[axis, voxel]) > Math.Abs(matrix[best, voxel]))
                    best = axis;
            }
            if (matrix[best, voxel] == 0)
                return null;
            (world[voxel], sign[voxel]) = (best, Math.Sign(matrix[best, voxel]));
        }
        return world.Distinct().Count() == 3 ? new NiftiOrientation(world, sign) : null;
    }

    /// <summary>The rotation of a qform (NIfTI-1 §qform: quaternion b, c, d; a from them; qfac flips the third column).</summary>
    public static NiftiOrientation? FromQuaternion(double b, double c, double d, double qfac)
    {
        var a = 1 - (b * b + c * c + d * d);
        a = a > 0 ? Math.Sqrt(a) : 0;
        var q = qfac < 0 ? -1 : 1;
        return FromMatrix(new double[,]
        {
            { a * a + b * b - c * c - d * d, 2 * (b * c - a * d), q * 2 * (b * d + a * c) },
            { 2 * (b * c + a * d), a * a + c * c - b * b - d * d, q * 2 * (c * d - a * b) },
            { 2 * (b * d - a * c), 2 * (c * d + a * b), q * (a * a + d * d - b * b - c * c) },
        });
    }

    /// <summary>The voxel axis that runs along a world axis.</summary>
    public int VoxelOf(int worldAxis) => Array.IndexOf(WorldOfVoxel, worldAxis);
}
