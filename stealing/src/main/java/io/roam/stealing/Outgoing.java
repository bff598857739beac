package io.roam.stealing;


/** A protocol message to send to the agent at {@code to} (an agent address). */
public record Outgoing(String to, StealMessage message) {
}
