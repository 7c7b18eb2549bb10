/* Task 2: the checked amenities are listed under "Amenities". */
'use strict';

HBNB.listChecked('.amenities');
