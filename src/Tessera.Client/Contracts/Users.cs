namespace Tessera.Client.Contracts;

public sealed record UserDto(string Username, string? Email, bool Admin, bool Disabled, DateTime CreatedAt);

public sealed record CreateUserRequest(string Username, string Password, string? Email = null, bool Admin = false);

public sealed record UpdateUserRequest(bool? Admin = null, bool? Disabled = null, string? Email = null, string? Password = null);

public sealed record ChangePasswordRequest(string CurrentPassword, string NewPassword);
