package org.springframework.dao

// A data source that cannot be reached (in Spring it extends NonTransientDataAccessException,
// which the simulator leaves out: nothing distinguishes it here).
class DataAccessResourceFailureException extends DataAccessException {
    DataAccessResourceFailureException(String msg) { super(msg) }
}
