import Foundation
import NIOCore

/// Why the server could not listen, in words an operator can act on (the raw error is NIO's
/// `bind(descriptor:ptr:bytes:)` with an errno).
public enum ListenFailure {
    /// A message for a bind failure (port in use, no permission, address not on this host); nil
    /// for any other error.
    public static func message(_ error: any Error, host: String, port: Int) -> String? {
        guard let io = error as? IOError else { return nil }
        switch io.errnoCode {
        case EADDRINUSE:
            return "port \(port) on \(host) is already in use (another wangge or another server): stop it, or choose another with --port"
        case EACCES:
            return "may not listen on port \(port) on \(host) (ports below 1024 need privileges): choose another with --port"
        case EADDRNOTAVAIL:
            return "\(host) is not an address of this machine: choose another with --host"
        default:
            return nil
        }
    }
}
